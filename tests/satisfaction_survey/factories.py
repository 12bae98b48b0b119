"""Small builders for survey tests: a valid questionnaire, an invitation, answers."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from motcua_kit.testing import TokenFactory

_sequence = itertools.count(1)

BASE = "/api/v1/surveys"


def question(key: str, factor: str, *, kind: str = "scale", **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "key": key,
        "factor": factor,
        "kind": kind,
        "text_vi": f"Câu hỏi {key}",
        "text_en": f"Question {key}",
    }
    payload.update(overrides)
    return payload


def questionnaire_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title_vi": "Phiếu khảo sát thử nghiệm",
        "title_en": "Test survey",
        "questions": [
            question("access", "access"),
            question("procedure", "procedure"),
            question("civil_servant", "civil_servant"),
            question("result", "result"),
            question("feedback_handling", "feedback_handling", required=False),
            question("overall", "overall"),
            question("comment", "overall", kind="comment"),
        ],
    }
    payload.update(overrides)
    return payload


async def publish(client: httpx.AsyncClient, tokens: TokenFactory, **overrides: Any) -> dict[str, Any]:
    """Create a draft and publish it; return the published version."""
    admin = tokens.headers("survey_admin")
    created = await client.post(f"{BASE}/questionnaires", json=questionnaire_payload(**overrides), headers=admin)
    assert created.status_code == 201, created.text
    published = await client.post(
        f"{BASE}/questionnaires/{created.json()['id']}/publish",
        headers={**admin, "If-Match": created.headers["etag"]},
    )
    assert published.status_code == 200, published.text
    body: dict[str, Any] = published.json()
    return body


def invitation_payload(**overrides: Any) -> dict[str, Any]:
    n = next(_sequence)
    payload: dict[str, Any] = {
        "dossier_code": f"SNGV-260301-{n:04d}",
        "procedure_code": "1.000948",
        "agency_code": "SNGV",
        "channel": "in_person",
        "officer_id": "officer-7",
        "officer_name": "Trần Thị Bình",
    }
    payload.update(overrides)
    return payload


async def invite(client: httpx.AsyncClient, tokens: TokenFactory, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        f"{BASE}/invitations", json=invitation_payload(**overrides), headers=tokens.headers("integration")
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def answers(questionnaire: dict[str, Any], score: int = 5, **scores: int | str | None) -> list[dict[str, Any]]:
    """An answer to every scale question (``score``, or ``key=score``; ``key=None`` skips it), plus
    ``comment="..."`` for the comment question."""
    result: list[dict[str, Any]] = []
    for q in questionnaire["questions"]:
        value = scores.get(q["key"], score if q["kind"] == "scale" else None)
        if value is None:
            continue
        result.append({"question_id": q["id"], "score" if q["kind"] == "scale" else "text": value})
    return result


async def answer_online(
    client: httpx.AsyncClient, token: str, questionnaire: dict[str, Any], **kwargs: Any
) -> httpx.Response:
    complaint = kwargs.pop("complaint", False)
    return await client.post(
        f"{BASE}/responses",
        json={"mode": "online", "token": token, "answers": answers(questionnaire, **kwargs), "complaint": complaint},
    )


async def answer_on_paper(
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    dossier_code: str,
    questionnaire: dict[str, Any],
    *,
    form_number: str | None = None,
    role: str = "reception_officer",
    **kwargs: Any,
) -> httpx.Response:
    complaint = kwargs.pop("complaint", False)
    return await client.post(
        f"{BASE}/responses",
        json={
            "mode": "paper",
            "dossier_code": dossier_code,
            "form_number": form_number or f"PKS-{next(_sequence):05d}",
            "answers": answers(questionnaire, **kwargs),
            "complaint": complaint,
        },
        headers=tokens.headers(role, subject="clerk-1"),
    )
