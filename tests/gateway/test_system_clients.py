"""The city one-stop system and the national portal, through the gateway with API keys (services in process)."""

from __future__ import annotations

import httpx

from motcua_kit.testing import TokenFactory, assert_problem
from tests.dossier_api.factories import dossier_payload


async def api_key(gateway: httpx.AsyncClient, tokens: TokenFactory, name: str, *roles: str) -> dict[str, str]:
    response = await gateway.post(
        "/api/v1/api-clients",
        json={"name": name, "display_name": f"Hệ thống {name}", "roles": list(roles), "agency": "SNGV"},
        headers=tokens.headers("admin"),
    )
    assert response.status_code == 201, response.text
    return {"X-API-Key": str(response.json()["api_key"])}


async def test_the_city_one_stop_system_files_follows_and_updates_dossiers(
    gateway: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    city = await api_key(gateway, tokens, "city-one-stop", "integration")
    # Filing: received at once (the city's one-stop counter is a reception desk), safe to retry.
    headers = {**city, "Idempotency-Key": "city-2026-000042"}
    filed = await gateway.post("/api/v1/dossiers", json=dossier_payload(channel="online"), headers=headers)
    assert filed.status_code == 201, filed.text
    code = filed.json()["code"]
    assert filed.json()["status"] == "received"
    retried = await gateway.post("/api/v1/dossiers", json=dossier_payload(channel="online"), headers=headers)
    assert (retried.json()["code"], retried.headers["idempotent-replayed"]) == (code, "true")

    # Querying: lists, one dossier with the applicant's data (it serves the applicant), the timeline.
    listed = await gateway.get("/api/v1/dossiers", params={"channel": "online"}, headers=city)
    assert [d["code"] for d in listed.json()["items"]] == [code]
    one = await gateway.get(f"/api/v1/dossiers/{code}", headers=city)
    assert one.json()["applicant"]["phone"] == "0905123456"
    timeline = (await gateway.get(f"/api/v1/dossiers/{code}/timeline", headers=city)).json()
    assert timeline[-1]["actor_subject"] == "client:city-one-stop"
    assert timeline[-1]["actor_role"] == "integration"

    # Recording what happened at its desk: a payment taken there.
    staff = tokens.headers("reception_officer")
    etag = (await gateway.get(f"/api/v1/dossiers/{code}", headers=staff)).headers["etag"]
    fees = await gateway.post(f"/api/v1/dossiers/{code}/fees", json={}, headers={**staff, "If-Match": etag})
    assert fees.status_code == 200, fees.text
    paid = await gateway.post(
        f"/api/v1/dossiers/{code}/payment",
        json={"method": "cash", "receipt_number": "BL-0042"},
        headers={**city, "If-Match": fees.headers["etag"]},
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "processing"

    # Not its business: subscriptions (an admin's), the portal sync, statistics, staff decisions.
    assert_problem(await gateway.get("/api/v1/subscriptions/dossiers", headers=city), 403)
    assert_problem(await gateway.get(f"/api/v1/dossiers/{code}/portal-sync", headers=city), 403)
    assert_problem(await gateway.get("/api/v1/dossiers/stats", headers=city), 403)
    resolve = await gateway.post(
        f"/api/v1/dossiers/{code}/resolve",
        json={"result_number": "1", "result_date": "2026-01-01"},
        headers={**city, "If-Match": paid.headers["etag"]},
    )
    assert_problem(resolve, 403)


async def test_an_admin_subscribes_the_city_system_to_dossier_events_through_the_gateway(
    gateway: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    admin = tokens.headers("admin")
    created = await gateway.post(
        "/api/v1/subscriptions/dossiers",
        json={
            "name": "city-one-stop",
            "url": "https://motcua.danang.example/hooks/motcua",
            "event_types": ["dossier.received", "dossier.returned"],
            "agency": "SNGV",
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["secret"].startswith("whsec_")
    subscription_id = created.json()["id"]
    one = await gateway.get(f"/api/v1/subscriptions/dossiers/{subscription_id}", headers=admin)
    assert one.status_code == 200
    assert "secret" not in one.json()
    deliveries = await gateway.get(f"/api/v1/subscriptions/dossiers/{subscription_id}/deliveries", headers=admin)
    assert deliveries.json()["total"] == 0
    paused = await gateway.patch(
        f"/api/v1/subscriptions/dossiers/{subscription_id}", json={"status": "paused"}, headers=admin
    )
    assert paused.json()["status"] == "paused"
    assert_problem(await gateway.get("/api/v1/subscriptions/dossiers", headers=tokens.headers("leader")), 403)


async def test_the_national_portal_files_a_dossier_with_its_api_key(
    gateway: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    portal = await api_key(gateway, tokens, "national-portal", "integration")
    body = {
        "MaHoSo": "G22.DN-260309-000777",
        "MaTTHC": "1.000948",
        "ChuHoSo": "Lê Thị Hoa",
        "NgayNopHoSo": "20260309080000",
    }
    filed = await gateway.post("/api/v1/integrations/national-portal/dossiers", json=body, headers=portal)
    assert filed.status_code == 201, filed.text
    assert (filed.json()["status"], filed.json()["external_reference"]) == ("registered", "G22.DN-260309-000777")
    again = await gateway.post("/api/v1/integrations/national-portal/dossiers", json=body, headers=portal)
    assert (again.status_code, again.json()["code"]) == (200, filed.json()["code"])
    reporter = await api_key(gateway, tokens, "dashboard", "reporter")
    assert_problem(
        await gateway.post("/api/v1/integrations/national-portal/dossiers", json=body, headers=reporter), 403
    )
