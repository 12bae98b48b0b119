from __future__ import annotations

import datetime as dt
import hashlib
import logging

import httpx
import pytest
import time_machine
from sqlalchemy import select

from motcua_kit.testing import RolledBackDatabase, TokenFactory, assert_problem, error_fields
from satisfaction_survey.models import Invitation
from tests.satisfaction_survey.factories import (
    BASE,
    answer_online,
    invitation_payload,
    invite,
    publish,
)


async def test_integration_client_invites_and_gets_a_link(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase
) -> None:
    questionnaire = await publish(client, tokens)
    payload = invitation_payload()
    response = await client.post(f"{BASE}/invitations", json=payload, headers=tokens.headers("integration"))
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    token = body["token"]
    assert len(token) >= 43
    assert body["link"] == f"http://127.0.0.1:8000{BASE}/invitations/{token}"
    assert body["qr_svg"].endswith(f"/invitations/{token}/qr.svg")
    assert body["questionnaire_version"] == questionnaire["version"]
    assert {body[k] for k in ("dossier_code", "procedure_code", "agency_code", "channel", "officer_id")} == {
        payload["dossier_code"],
        "1.000948",
        "SNGV",
        "in_person",
        "officer-7",
    }
    expires = dt.datetime.fromisoformat(body["expires_at"]) - dt.datetime.fromisoformat(body["created_at"])
    assert expires == dt.timedelta(days=14)

    async with survey_database.sessionmaker() as session:
        stored = await session.scalar(select(Invitation).where(Invitation.dossier_code == payload["dossier_code"]))
    assert stored is not None
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(v) for v in vars(stored).values()}


async def test_staff_may_invite_too(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await publish(client, tokens)
    for role in ("reception_officer", "survey_admin"):
        response = await client.post(f"{BASE}/invitations", json=invitation_payload(), headers=tokens.headers(role))
        assert response.status_code == 201


async def test_one_invitation_per_dossier(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await publish(client, tokens)
    payload = invitation_payload()
    headers = tokens.headers("integration")
    assert (await client.post(f"{BASE}/invitations", json=payload, headers=headers)).status_code == 201
    again = await client.post(f"{BASE}/invitations", json=payload, headers=headers)
    assert_problem(again, 409, "invitation_exists")


async def test_no_published_questionnaire_is_409(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await client.post(
        f"{BASE}/invitations", json=invitation_payload(), headers=tokens.headers("integration")
    )
    assert_problem(response, 409, "no_current_questionnaire")


@pytest.mark.parametrize("role", ["citizen", "intermediary", "leader", "reporter", "processing_officer"])
async def test_inviting_needs_a_system_or_reception(client: httpx.AsyncClient, tokens: TokenFactory, role: str) -> None:
    response = await client.post(f"{BASE}/invitations", json=invitation_payload(), headers=tokens.headers(role))
    assert_problem(response, 403, "missing_role")
    assert_problem(await client.post(f"{BASE}/invitations", json=invitation_payload()), 401)


async def test_invalid_invitation_is_422_naming_each_field(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    payload = invitation_payload(dossier_code="bad code", channel="fax", agency_code="", officer_id="", extra=1)
    response = await client.post(f"{BASE}/invitations", json=payload, headers=tokens.headers("integration"))
    assert error_fields(assert_problem(response, 422)) == {
        "dossier_code",
        "channel",
        "agency_code",
        "officer_id",
        "extra",
    }


async def test_link_shows_the_questionnaire_and_nothing_personal(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    questionnaire = await publish(client, tokens)
    invitation = await invite(client, tokens)
    response = await client.get(f"{BASE}/invitations/{invitation['token']}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-language"] == "en"
    body = response.json()
    assert set(body) == {"procedure_code", "agency_code", "expires_at", "questionnaire"}
    assert body["questionnaire"]["id"] == questionnaire["id"]
    assert body["questionnaire"]["title"] == "Test survey"
    text = response.text
    for personal in (invitation["dossier_code"], "officer-7", "Trần Thị Bình"):
        assert personal not in text


async def test_invitation_keeps_the_version_it_was_issued_with(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    first = await publish(client, tokens)
    invitation = await invite(client, tokens)
    second = await publish(client, tokens, title_vi="Phiếu mới")
    shown = (await client.get(f"{BASE}/invitations/{invitation['token']}")).json()["questionnaire"]
    assert shown["id"] == first["id"]
    assert shown["status"] == "retired"
    assert (await invite(client, tokens))["questionnaire_version"] == second["version"]


async def test_unknown_expired_and_used_links_look_the_same(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    questionnaire = await publish(client, tokens)
    used = await invite(client, tokens)
    assert (await answer_online(client, used["token"], questionnaire)).status_code == 201
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=15), tick=False):
        expired = await invite(client, tokens)
    problems = []
    for token in ("x" * 43, expired["token"], used["token"]):
        problem = assert_problem(await client.get(f"{BASE}/invitations/{token}"), 404, "invitation_unavailable")
        problems.append((problem["title"], problem["detail"]))
    assert len(set(problems)) == 1
    assert_problem(await client.get(f"{BASE}/invitations/{'x' * 129}"), 422)


async def test_qr_code_of_the_link(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await publish(client, tokens)
    token = (await invite(client, tokens))["token"]
    png = await client.get(f"{BASE}/invitations/{token}/qr.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = await client.get(f"{BASE}/invitations/{token}/qr.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content
    assert_problem(await client.get(f"{BASE}/invitations/{'y' * 43}/qr.svg"), 404, "invitation_unavailable")
    assert_problem(await client.get(f"{BASE}/invitations/{token}/qr.gif"), 422)


async def test_reissue_gives_a_new_link_and_kills_the_old(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    questionnaire = await publish(client, tokens)
    invitation = await invite(client, tokens)
    headers = tokens.headers("reception_officer")
    reissued = await client.post(
        f"{BASE}/invitations/reissue", json={"dossier_code": invitation["dossier_code"]}, headers=headers
    )
    assert reissued.status_code == 200, reissued.text
    new_token = reissued.json()["token"]
    assert new_token != invitation["token"]
    assert_problem(await client.get(f"{BASE}/invitations/{invitation['token']}"), 404, "invitation_unavailable")
    assert (await client.get(f"{BASE}/invitations/{new_token}")).status_code == 200
    assert (await answer_online(client, new_token, questionnaire)).status_code == 201
    answered = await client.post(
        f"{BASE}/invitations/reissue", json={"dossier_code": invitation["dossier_code"]}, headers=headers
    )
    assert_problem(answered, 409, "already_answered")
    unknown = await client.post(
        f"{BASE}/invitations/reissue", json={"dossier_code": "SNGV-000000-0000"}, headers=headers
    )
    assert_problem(unknown, 404, "invitation_not_found")


async def test_the_token_never_reaches_the_access_log(
    client: httpx.AsyncClient, tokens: TokenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    await publish(client, tokens)
    token = (await invite(client, tokens))["token"]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="motcua.access"):
        await client.get(f"{BASE}/invitations/{token}")
        await client.get(f"{BASE}/invitations/{token}/qr.svg")
    # The access log's event (already through the kit's redaction) shows the path without the token.
    paths = [r.msg["path"] for r in caplog.records if r.name == "motcua.access" and isinstance(r.msg, dict)]
    assert paths == [f"{BASE}/invitations/***", f"{BASE}/invitations/***/qr.svg"]
