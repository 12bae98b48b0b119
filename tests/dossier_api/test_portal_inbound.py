"""Dossiers filed on the national portal enter as online dossiers, once per portal code."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from dossier_api.models import Dossier, OutboxEvent
from motcua_kit.events.outbox import to_cloudevent
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, assert_problem, error_fields
from tests.dossier_api.conftest import CommittingDatabase
from tests.dossier_api.fake_catalog import FakeCatalog
from tests.events_contract import validate_event

PATH = "/api/v1/integrations/national-portal/dossiers"


def portal_dossier(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "MaHoSo": "G22.DN-260309-000123",
        "MaTTHC": "1.000948",
        "ChuHoSo": "Công ty TNHH Sông Hàn",
        "LoaiDoiTuong": "2",
        "MaDoiTuong": "0401234567",
        "SoDienThoai": "0236 3822 000".replace(" ", ""),
        "Email": "info@songhan.example.vn",
        "TrichYeuHoSo": "Đề nghị cấp thẻ ABTC cho giám đốc",
        "NgayNopHoSo": "20260309213000",
        "HinhThuc": "1",
        "DiaChiNhanKetQua": "25 Bạch Đằng, Hải Châu, Đà Nẵng",
        "DanhSachGiayTo": [{"TenGiayTo": "Tờ khai", "SoBanChinh": 1}, {"TenGiayTo": "Hộ chiếu", "SoBanSao": 1}],
        "TenLinhVuc": "Ngoại vụ",  # the portal sends more than a reception needs: ignored
    }
    body.update(overrides)
    return body


async def test_a_portal_dossier_is_registered_as_an_online_dossier(
    client: httpx.AsyncClient, tokens: TokenFactory, dossier_database: RolledBackDatabase
) -> None:
    response = await client.post(PATH, json=portal_dossier(), headers=tokens.headers("integration"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/dossiers/{body['code']}"
    assert (body["status"], body["channel"], body["external_reference"]) == (
        "registered",
        "online",
        "G22.DN-260309-000123",
    )
    assert body["submitted_at"] == "2026-03-09T14:30:00Z"
    assert body["received_at"] is None  # the one-stop unit receives it, as any dossier filed online
    assert body["applicant"] == {
        "type": "organisation",
        "name": "Công ty TNHH Sông Hàn",
        "id_number": "0401234567",
        "phone": "02363822000",
        "email": "info@songhan.example.vn",
        "address": None,
    }
    assert body["summary"] == "Đề nghị cấp thẻ ABTC cho giám đốc"
    assert body["documents"] == [
        {"component": "Tờ khai", "originals": 1, "copies": 0},
        {"component": "Hộ chiếu", "originals": 0, "copies": 1},
    ]
    assert body["result_return"] == {"method": "post", "address": "25 Bạch Đằng, Hải Châu, Đà Nẵng"}
    assert body["tracking_secret"]
    timeline = (await client.get(f"/api/v1/dossiers/{body['code']}/timeline", headers=tokens.headers("leader"))).json()
    assert [(e["action"], e["actor_role"], e["details"]) for e in timeline] == [
        (
            "register",
            "integration",
            {"external_system": "national_portal", "external_reference": "G22.DN-260309-000123"},
        )
    ]
    async with dossier_database.transaction(write=False) as session:
        (event,) = (await session.scalars(select(OutboxEvent))).all()
    document = validate_event(to_cloudevent(event))
    assert (document["data"]["action"], document["data"]["status"]) == ("register", "registered")
    # The unit then receives it as usual.
    etag = (await client.get(f"/api/v1/dossiers/{body['code']}", headers=tokens.headers("leader"))).headers["etag"]
    received = await client.post(
        f"/api/v1/dossiers/{body['code']}/receive",
        json={},
        headers={**tokens.headers("reception_officer"), "If-Match": etag},
    )
    assert received.json()["status"] == "received"


async def test_the_same_portal_code_again_is_the_same_dossier(
    client: httpx.AsyncClient, tokens: TokenFactory, fake_catalog: FakeCatalog, dossier_database: RolledBackDatabase
) -> None:
    first = await client.post(PATH, json=portal_dossier(), headers=tokens.headers("integration"))
    fake_catalog.down = True  # a replay does not need the catalogue
    again = await client.post(
        PATH, json=portal_dossier(ChuHoSo="Tên khác"), headers=tokens.headers("integration", subject="client:other")
    )
    assert again.status_code == 200, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["code"] == first.json()["code"]
    assert again.json()["tracking_secret"] is None
    assert again.json()["applicant_name"] == "Công ty TNHH Sông Hàn"
    async with dossier_database.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Dossier)) == 1


async def test_concurrent_calls_with_one_portal_code_make_one_dossier(
    committing_app: FastAPI, committing_database: CommittingDatabase, tokens: TokenFactory
) -> None:
    async with api_client(committing_app) as client:
        responses = await asyncio.gather(
            *(client.post(PATH, json=portal_dossier(), headers=tokens.headers("integration")) for _ in range(5))
        )
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 201]
    assert len({r.json()["code"] for r in responses}) == 1
    async with committing_database.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Dossier)) == 1
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 1


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"NgayNopHoSo": "20261340250000"}, {"NgayNopHoSo"}),
        ({"NgayNopHoSo": "2026-03-09"}, {"NgayNopHoSo"}),
        ({"NgayNopHoSo": "18000101000000"}, {"NgayNopHoSo"}),
        ({"NgayNopHoSo": "21000101000000"}, {"NgayNopHoSo"}),  # in the future
        ({"MaDoiTuong": "048090001234"}, {"MaDoiTuong"}),  # a citizen's number on an organisation
        ({"SoDienThoai": "12345"}, {"SoDienThoai"}),
        ({"HinhThuc": "1", "DiaChiNhanKetQua": None}, {"DiaChiNhanKetQua"}),
        ({"HinhThuc": "9"}, {"HinhThuc"}),
        ({"MaHoSo": "", "ChuHoSo": ""}, {"MaHoSo", "ChuHoSo"}),
        ({"MaHoSo": "x" * 51}, {"MaHoSo"}),  # the portal's own limit
        ({"DanhSachGiayTo": [{"TenGiayTo": "Tờ khai"}]}, {"DanhSachGiayTo.0"}),
    ],
)
async def test_a_portal_dossier_that_breaks_the_rules_is_422(
    client: httpx.AsyncClient, tokens: TokenFactory, overrides: dict[str, Any], fields: set[str]
) -> None:
    response = await client.post(PATH, json=portal_dossier(**overrides), headers=tokens.headers("integration"))
    assert error_fields(assert_problem(response, 422)) == fields


async def test_an_unknown_procedure_is_422(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await client.post(PATH, json=portal_dossier(MaTTHC="9.999999"), headers=tokens.headers("integration"))
    assert_problem(response, 422, "unknown_procedure")


async def test_only_an_integration_files_portal_dossiers(
    client: httpx.AsyncClient, tokens: TokenFactory, fake_catalog: FakeCatalog
) -> None:
    for role in ("reception_officer", "citizen", "intermediary", "leader"):
        assert_problem(await client.post(PATH, json=portal_dossier(), headers=tokens.headers(role)), 403)
    assert_problem(await client.post(PATH, json=portal_dossier()), 401)
    assert fake_catalog.requests == []  # nobody reached the catalogue
    assert (await client.post(PATH, json=portal_dossier(), headers=tokens.headers("admin"))).status_code == 201
