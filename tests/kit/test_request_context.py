"""Request ids, access logs without personal data, metrics, health."""

from __future__ import annotations

import logging

import httpx
import pytest

from motcua_kit.context import accept_or_generate, set_request_id
from motcua_kit.httpclient import outgoing_client
from motcua_kit.logging import redact_personal_data, scrub_text


async def test_request_id_is_generated_and_echoed(kit_client: httpx.AsyncClient) -> None:
    response = await kit_client.get("/api/v1/items")
    assert len(response.headers["x-request-id"]) == 32


async def test_incoming_request_id_is_kept(kit_client: httpx.AsyncClient) -> None:
    response = await kit_client.get("/api/v1/items", headers={"X-Request-ID": "abc-123.x"})
    assert response.headers["x-request-id"] == "abc-123.x"


async def test_problem_carries_the_request_id(kit_client: httpx.AsyncClient) -> None:
    response = await kit_client.get("/api/v1/nope", headers={"X-Request-ID": "trace-1"})
    assert response.json()["request_id"] == "trace-1"


@pytest.mark.parametrize("incoming", ["", "a b", "x" * 200, "bad\u0001id", "-starts-with-dash"])
def test_unsafe_request_ids_are_replaced(incoming: str) -> None:
    assert accept_or_generate(incoming) != incoming


async def test_request_id_propagates_to_outgoing_calls() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-request-id"))
        return httpx.Response(204)

    set_request_id("outgoing-1")
    async with outgoing_client(transport=httpx.MockTransport(handler)) as client:
        await client.get("http://other-service/x")
    set_request_id(None)
    assert seen == ["outgoing-1"]


def test_personal_data_is_scrubbed_from_text() -> None:
    text = (
        "citizen 0905123456 id 012345678901 mail a.b@example.vn"
        " token Bearer eyJhbGciOi.eyJzdWIi.sig code SNGV-261126-0001"
    )
    scrubbed = scrub_text(text)
    for secret in ("0905123456", "012345678901", "a.b@example.vn", "eyJhbGciOi"):
        assert secret not in scrubbed
    assert "SNGV-261126-0001" in scrubbed  # dossier codes are not personal data


def test_random_secrets_in_paths_are_scrubbed() -> None:
    token = "q3Vh0-7Jx_Zk2mP9wR4tY6uI8oA1sD5fG7hJ9kL0zXc"
    scrubbed = scrub_text(f"/api/v1/surveys/invitations/{token}/qr")
    assert token not in scrubbed
    assert scrubbed == "/api/v1/surveys/invitations/***/qr"
    request_id = "0f8fad5bd9cb469fa16570867728950e"  # 32 hex characters: an id, not a secret
    assert scrub_text(f"request {request_id}") == f"request {request_id}"


def test_sensitive_keys_are_masked_at_any_depth() -> None:
    event = {"event": "x", "phone": "0905123456", "applicant": {"name": "Nguyễn Văn A"}, "data": {"id_number": "1"}}
    result = redact_personal_data(None, "info", event)
    assert result["phone"] == "***"
    assert result["applicant"] == "***"
    assert result["data"]["id_number"] == "***"


async def test_access_log_has_no_query_string(kit_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="motcua.access"):
        await kit_client.get("/api/v1/items", params={"name": "0905123456"})
    messages = " ".join(str(r.msg) for r in caplog.records)
    assert "/api/v1/items" in messages
    assert "0905123456" not in messages


async def test_livez_and_metrics(kit_client: httpx.AsyncClient) -> None:
    assert (await kit_client.get("/livez")).json() == {"status": "ok"}
    await kit_client.get("/api/v1/items")
    metrics = (await kit_client.get("/metrics")).text
    assert 'http_requests_total{method="GET",route="/api/v1/items",service="kit-test",status="200"}' in metrics
