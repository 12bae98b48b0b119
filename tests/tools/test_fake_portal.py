"""The fake national portal refuses what the real one would, so the sync adapter is tested honestly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from motcua_tools.fake_portal import create_app

AUTH = {"Authorization": "Bearer t0ken"}


def dossier(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "MaHoSo": "SNGV-260105-0001",
        "MaTTHC": "1.000948",
        "TenTTHC": "Cho phép sử dụng thẻ ABTC",
        "MaLinhVuc": "NGV-DN",
        "KenhThucHien": "1",
        "ChuHoSo": "Nguyễn Văn An",
        "LoaiDoiTuong": "1",
        "NgayNopHoSo": "20260105083000",
        "NgayTiepNhan": "20260105083000",
        "NgayHenTra": "20260119083000",
        "TrangThaiHoSo": "2",
        "DonViXuLy": "Sở Ngoại vụ",
        "DanhSachLePhi": [],
        "DanhSachHoSoBoSung": [],
    }
    record.update(overrides)
    return record


@pytest.fixture
async def portal() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app("t0ken")), base_url="http://portal"
    ) as client:
        yield client


async def sync(portal: httpx.AsyncClient, updating: bool, *records: dict[str, Any]) -> dict[str, Any]:
    body = {"service": "DongBoHoSoMC", "isUpdating": updating, "data": list(records)}
    response = await portal.post("/api/DongBoHoSoMC", json=body, headers=AUTH)
    result: dict[str, Any] = response.json()
    return result


async def test_create_then_update(portal: httpx.AsyncClient) -> None:
    assert (await sync(portal, False, dossier()))["error_code"] == "0"
    assert (await sync(portal, False, dossier()))["error_code"] == "2"  # exists
    assert (await sync(portal, True, dossier(TrangThaiHoSo="4")))["error_code"] == "0"
    assert (await sync(portal, True, dossier(MaHoSo="SNGV-260105-0002")))["error_code"] == "3"  # unknown
    state = (await portal.get("/_state")).json()
    assert state["dossiers"]["SNGV-260105-0001"]["TrangThaiHoSo"] == "4"


@pytest.mark.parametrize(
    "bad",
    [
        {"KenhThucHien": "4"},
        {"NgayTiepNhan": "2026-01-05"},
        {"NgayHenTra": "20261305083000"},
        {"TrangThaiHoSo": 2},
        {"DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí", "Gia": -1, "LoaiPhiLePhi": "2"}]},
    ],
)
async def test_invalid_payloads_are_refused(portal: httpx.AsyncClient, bad: dict[str, Any]) -> None:
    result = await sync(portal, False, dossier(**bad))
    assert result["error_code"] == "1"
    assert (await portal.get("/_state")).json()["dossiers"] == {}


async def test_missing_required_field_is_refused(portal: httpx.AsyncClient) -> None:
    record = dossier()
    del record["NgayHenTra"]
    assert (await sync(portal, False, record))["error_code"] == "1"


async def test_progress_needs_the_dossier_and_dedupes(portal: httpx.AsyncClient) -> None:
    step = {
        "MaHoSo": "SNGV-260105-0001",
        "NguoiXuLy": "Trần Thị Bình",
        "ThoiDiemXuLy": "20260105090000",
        "NoiDungXuLy": "Tiếp nhận hồ sơ",
        "TrangThai": "2",
    }
    body = {"service": "CapNhatTienDoHoSoMC", "data": [step]}
    assert (await portal.post("/api/CapNhatTienDoHoSoMC", json=body, headers=AUTH)).json()["error_code"] == "3"
    await sync(portal, False, dossier())
    for _ in range(2):
        assert (await portal.post("/api/CapNhatTienDoHoSoMC", json=body, headers=AUTH)).json()["error_code"] == "0"
    assert len((await portal.get("/_state")).json()["progress"]["SNGV-260105-0001"]) == 1


async def test_it_can_be_told_to_fail_or_reject(portal: httpx.AsyncClient) -> None:
    await portal.post("/_control", json={"mode": "fail", "count": 1})
    body = {"service": "DongBoHoSoMC", "isUpdating": False, "data": [dossier()]}
    assert (await portal.post("/api/DongBoHoSoMC", json=body, headers=AUTH)).status_code == 503
    assert (await sync(portal, False, dossier()))["error_code"] == "0"
    await portal.post("/_control", json={"mode": "reject", "count": 1})
    assert (await sync(portal, True, dossier()))["error_code"] == "-1"
    assert (await portal.post("/api/DongBoHoSoMC", json=body)).status_code == 401
