from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from motcua_kit.testing import TokenFactory

HANOI = dt.timezone(dt.timedelta(hours=7))


def dossier_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "procedure_code": "1.000948",
        "channel": "in_person",
        "applicant": {
            "type": "citizen",
            "name": "Nguyễn Văn An",
            "id_number": "048090001234",
            "phone": "0905123456",
            "email": "an.nguyen@example.vn",
            "address": "12 Trần Phú, Hải Châu, Đà Nẵng",
        },
        "documents": [{"component": "Tờ khai đề nghị cấp thẻ ABTC", "originals": 1, "copies": 0}],
        "result_return": {"method": "in_person"},
    }
    payload.update(overrides)
    return payload


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An instant given in Hanoi time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=HANOI)


async def receive(
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    role: str = "reception_officer",
    *,
    claims: dict[str, Any] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """File a dossier as ``role`` (token ``claims`` such as subject or unit); ``overrides`` change the body."""
    headers = tokens.headers(role, **(claims or {}))
    response = await client.post("/api/v1/dossiers", json=dossier_payload(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def act(
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    code: str,
    action: str,
    body: dict[str, Any] | None = None,
    *,
    role: str = "processing_officer",
    **claims: Any,
) -> httpx.Response:
    """Read the dossier's ETag, then run ``action`` with it in If-Match."""
    headers = tokens.headers(role, **claims)
    current = await client.get(f"/api/v1/dossiers/{code}", headers=tokens.headers("processing_officer"))
    assert current.status_code == 200, current.text
    return await client.post(
        f"/api/v1/dossiers/{code}/{action}",
        json=body or {},
        headers={**headers, "If-Match": current.headers["etag"]},
    )


async def act_ok(
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    code: str,
    action: str,
    body: dict[str, Any] | None = None,
    *,
    role: str = "processing_officer",
    **claims: Any,
) -> dict[str, Any]:
    response = await act(client, tokens, code, action, body, role=role, **claims)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
