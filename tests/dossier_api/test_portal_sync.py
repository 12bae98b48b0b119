"""The national portal sync against the fake portal (in process): create, update, steps, refusals, retries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import time_machine
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import func, select

from dossier_api.config import DossierSettings, NationalPortalSettings
from dossier_api.dispatch import DossierDispatcher, portal_subscription
from dossier_api.events.store import STORE
from dossier_api.main import create_app
from dossier_api.models import EventDelivery
from dossier_api.portal import sender as sender_module
from dossier_api.portal.client import PortalClient
from dossier_api.portal.mapping import dossier_record, fee_kind, parse_portal_date, portal_date
from motcua_kit.events.models import DeliveryStatus
from motcua_kit.events.settings import EventSettings
from motcua_kit.events.subscriptions import sync_declared_subscriptions
from motcua_kit.testing import TokenFactory, api_client, assert_problem
from motcua_tools.fake_portal import create_app as create_fake_portal
from tests.dossier_api.conftest import CommittingDatabase
from tests.dossier_api.factories import act_ok, at, receive
from tests.dossier_api.fake_catalog import FakeCatalog

PORTAL_URL = "http://portal.test"
TOKEN = "portal-t0ken"
FAST = EventSettings(backoff_base_seconds=0.01, backoff_max_seconds=0.02, max_attempts=3, idle_poll_seconds=0.01)
CONTRACTS = Path(__file__).resolve().parents[2] / "contracts" / "national-portal"


def portal_settings(settings: DossierSettings, url: str | None = PORTAL_URL) -> DossierSettings:
    return settings.model_copy(
        update={
            "events": FAST,
            "national_portal": NationalPortalSettings(
                url=url, token=SecretStr(TOKEN), agency_name="Sở Ngoại vụ thành phố Đà Nẵng"
            ),
        }
    )


@dataclass
class Stack:
    """dossier-api, its dispatcher with the portal sender, and the fake portal, all in process."""

    api: httpx.AsyncClient
    portal: httpx.AsyncClient
    dispatcher: DossierDispatcher
    database: CommittingDatabase

    async def drain(self, rounds: int = 60) -> None:
        """Dispatch until nothing is pending (retries included) or the rounds run out."""
        for _ in range(rounds):
            if await self.dispatcher.run_once() == 0:
                if await self.pending() == 0:
                    return
                await asyncio.sleep(0.03)

    async def pending(self) -> int:
        async with self.database.transaction(write=False) as session:
            count = await session.scalar(
                select(func.count()).select_from(EventDelivery).where(EventDelivery.status == DeliveryStatus.PENDING)
            )
        return int(count or 0)

    async def state(self) -> dict[str, Any]:
        result: dict[str, Any] = (await self.portal.get("/_state")).json()
        return result

    async def control(self, mode: str, count: int = 1, delay_seconds: float = 0.0) -> None:
        await self.portal.post("/_control", json={"mode": mode, "count": count, "delay_seconds": delay_seconds})

    async def sync_status(self, tokens: TokenFactory, code: str) -> dict[str, Any]:
        response = await self.api.get(
            f"/api/v1/dossiers/{code}/portal-sync", headers=tokens.headers("reception_officer")
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
async def stack(
    committing_database: CommittingDatabase, dossier_settings: DossierSettings, fake_catalog: FakeCatalog
) -> AsyncIterator[Stack]:
    settings = portal_settings(dossier_settings)
    portal_app = create_fake_portal(TOKEN)
    transport = httpx.ASGITransport(app=portal_app)
    dispatcher = DossierDispatcher(committing_database, settings, portal_transport=transport)
    # What `python -m dossier_api dispatch` does first: declare the configured subscriptions.
    async with committing_database.transaction() as session:
        await sync_declared_subscriptions(session, STORE, dispatcher.settings.subscriptions)
    app = create_app(settings, database=committing_database, catalog_transport=fake_catalog.transport)
    try:
        async with api_client(app) as api, httpx.AsyncClient(transport=transport, base_url=PORTAL_URL) as portal:
            yield Stack(api, portal, dispatcher, committing_database)
    finally:
        await dispatcher.aclose()


def steps(state: dict[str, Any], code: str) -> list[str]:
    return [step["NoiDungXuLy"] for step in state["progress"].get(code, [])]


def calls(state: dict[str, Any], service: str = "DongBoHoSoMC") -> list[dict[str, Any]]:
    return [c for c in state["calls"] if c["service"] == service]


async def test_a_received_dossier_is_created_on_the_portal_with_its_steps(stack: Stack, tokens: TokenFactory) -> None:
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        code = (await receive(stack.api, tokens, claims={"name": "Trần Thị Bình", "unit": "Bộ phận một cửa"}))["code"]
    await stack.drain()
    state = await stack.state()
    record = state["dossiers"][code]
    assert {k: record[k] for k in ("MaHoSo", "MaTTHC", "KenhThucHien", "LoaiDoiTuong", "TrangThaiHoSo")} == {
        "MaHoSo": code,
        "MaTTHC": "1.000948",
        "KenhThucHien": "1",
        "LoaiDoiTuong": "1",
        "TrangThaiHoSo": "2",
    }
    assert (record["NgayNopHoSo"], record["NgayTiepNhan"], record["NgayHenTra"]) == (
        "20260309090000",
        "20260309090000",
        "20260316090000",
    )
    assert (record["NgayTra"], record["NgayKetThucXuLy"]) == ("", "")
    assert (record["ChuHoSo"], record["SoDienThoai"], record["MaLinhVuc"]) == (
        "Nguyễn Văn An",
        "0905123456",
        "G09-NG01",
    )
    assert record["DonViXuLy"] == "Sở Ngoại vụ thành phố Đà Nẵng"
    assert record["DanhSachLePhi"] == [{"TenPhiLePhi": "Lệ phí cấp thẻ", "Gia": 200_000, "LoaiPhiLePhi": "2"}]
    assert record["DanhSachHoSoBoSung"] == []
    progress = state["progress"][code]
    assert [(s["NoiDungXuLy"], s["TrangThai"]) for s in progress] == [("Nộp hồ sơ", "1"), ("Tiếp nhận hồ sơ", "2")]
    assert (progress[1]["NguoiXuLy"], progress[1]["ChucDanh"], progress[1]["PhongBanXuLy"]) == (
        "Trần Thị Bình",
        "Cán bộ tiếp nhận",
        "Bộ phận một cửa",
    )
    assert (progress[1]["ThoiDiemXuLy"], progress[1]["NgayKetThucTheoQuyDinh"]) == ("20260309090000", "20260316090000")
    status = await stack.sync_status(tokens, code)
    assert {k: status[k] for k in ("enabled", "portal_code", "created_on_portal", "steps_sent", "in_step")} == {
        "enabled": True,
        "portal_code": code,
        "created_on_portal": True,
        "steps_sent": 2,
        "in_step": True,
    }
    assert (status["last_error"], status["pending_events"], status["dead_events"]) == (None, 0, 0)
    assert status["last_success_at"] == status["last_attempt_at"]


async def test_each_change_updates_the_portal_and_adds_its_steps(stack: Stack, tokens: TokenFactory) -> None:
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        code = (await receive(stack.api, tokens))["code"]
    await stack.drain()
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        await act_ok(stack.api, tokens, code, "assign", {"unit": "Phòng Lãnh sự"}, role="leader")
    with time_machine.travel(at(2026, 3, 10, 10), tick=False):
        await act_ok(stack.api, tokens, code, "supplement-request", {"items": ["Bản sao hộ chiếu"]})
    with time_machine.travel(at(2026, 3, 12, 14), tick=False):
        await act_ok(stack.api, tokens, code, "supplement", role="reception_officer")
        await act_ok(stack.api, tokens, code, "fees")
        await act_ok(stack.api, tokens, code, "payment", {"method": "online"}, role="integration")
    with time_machine.travel(at(2026, 3, 13, 9), tick=False):
        await act_ok(stack.api, tokens, code, "resolve", {"result_number": "12/QĐ-SNGV", "result_date": "2026-03-13"})
    with time_machine.travel(at(2026, 3, 13, 15), tick=False):
        await act_ok(
            stack.api,
            tokens,
            code,
            "return",
            {"method": "post", "tracking_number": "EB1VN", "address": "12 Trần Phú, Đà Nẵng"},
            role="reception_officer",
        )
    await stack.drain()
    state = await stack.state()
    record = state["dossiers"][code]
    assert (record["TrangThaiHoSo"], record["HinhThuc"], record["NgayTra"], record["NgayKetThucXuLy"]) == (
        "10",
        "1",
        "20260313150000",
        "20260313090000",
    )
    (supplement,) = record["DanhSachHoSoBoSung"]
    assert {k: supplement[k] for k in ("NoiDungBoSung", "NgayBoSung", "TrangThaiBoSung", "NgayHenTraTruoc")} == {
        "NoiDungBoSung": "Bản sao hộ chiếu",
        "NgayBoSung": "20260310100000",
        "TrangThaiBoSung": "1",
        "NgayHenTraTruoc": "20260316090000",
    }
    assert (supplement["NgayTiepNhanBoSung"], supplement["NgayHenTraMoi"]) == ("20260312140000", "20260319140000")
    assert record["DanhSachLePhi"][0]["HinhThucThu"] == "Trực tuyến"
    assert record["DanhSachGiayToKetQua"] == [
        {"TenGiayTo": "Văn bản kết quả số 12/QĐ-SNGV ngày 13/03/2026", "GiayToId": "12/QĐ-SNGV"}
    ]
    assert steps(state, code) == [
        "Nộp hồ sơ",
        "Tiếp nhận hồ sơ",
        "Chuyển xử lý",
        "Yêu cầu bổ sung hồ sơ: Bản sao hộ chiếu",
        "Tiếp nhận hồ sơ bổ sung",
        "Thông báo thực hiện nghĩa vụ tài chính",
        "Đã thực hiện nghĩa vụ tài chính",
        "Có kết quả giải quyết",
        "Trả kết quả",
    ]
    # Created, then updated once: each delivery sends the dossier as it is *now*, so the first of the
    # seven later events brought the portal in step and the six others found nothing new to send.
    assert [c["ok"] for c in calls(state)] == [True, True]
    assert [c["detail"] for c in calls(state, "CapNhatTienDoHoSoMC")] == ["2", "7"]
    assert (await stack.sync_status(tokens, code))["steps_sent"] == 9


async def test_a_redelivered_event_sends_nothing_new(stack: Stack, tokens: TokenFactory) -> None:
    code = (await receive(stack.api, tokens))["code"]
    await stack.drain()
    before = await stack.state()
    async with stack.database.transaction() as session:
        delivered = (await session.scalars(select(EventDelivery).where(EventDelivery.subject == code))).one()
        session.add(
            EventDelivery(
                event_sequence=delivered.event_sequence,
                subscription_id=delivered.subscription_id,
                subject=code,
                next_attempt_at=delivered.next_attempt_at,
            )
        )
    await stack.drain()
    after = await stack.state()
    assert after["calls"] == before["calls"]  # the portal holds this state already: no call at all
    status = await stack.sync_status(tokens, code)
    assert (status["attempts"], status["steps_sent"], status["in_step"]) == (2, 2, True)


async def test_a_dossier_the_portal_has_already_is_updated(stack: Stack, tokens: TokenFactory) -> None:
    code = (await receive(stack.api, tokens))["code"]
    # The portal has it (an earlier sync whose answer was lost, say): its create is refused.
    existing = {
        "MaHoSo": code,
        "MaTTHC": "1.000948",
        "TenTTHC": "x",
        "MaLinhVuc": "x",
        "KenhThucHien": "1",
        "ChuHoSo": "x",
        "LoaiDoiTuong": "1",
        "NgayNopHoSo": "20260101000000",
        "NgayTiepNhan": "",
        "NgayHenTra": "",
        "TrangThaiHoSo": "1",
        "DonViXuLy": "x",
        "DanhSachLePhi": [],
        "DanhSachHoSoBoSung": [],
    }
    answer = await stack.portal.post(
        "/api/DongBoHoSoMC",
        json={"service": "DongBoHoSoMC", "isUpdating": False, "data": [existing]},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.json()["error_code"] == "0"
    await stack.drain()
    state = await stack.state()
    assert [(c["ok"], c["detail"]) for c in calls(state)][1:] == [(False, f"{code} exists"), (True, code)]
    assert state["dossiers"][code]["TrangThaiHoSo"] == "2"
    status = await stack.sync_status(tokens, code)
    assert (status["created_on_portal"], status["last_error"]) == (True, None)


async def test_a_refusal_is_retried_and_shown_to_staff(stack: Stack, tokens: TokenFactory) -> None:
    code = (await receive(stack.api, tokens))["code"]
    await stack.control("reject", count=1)
    assert await stack.dispatcher.run_once() == 1
    status = await stack.sync_status(tokens, code)
    assert (status["created_on_portal"], status["pending_events"], status["in_step"]) == (False, 1, False)
    assert status["last_error"] == "DongBoHoSoMC refused (-1): Hệ thống tạm thời từ chối yêu cầu"
    assert status["last_success_at"] is None
    assert await delivery_errors(stack) == ["DongBoHoSoMC refused (-1)"]
    await stack.drain()
    status = await stack.sync_status(tokens, code)
    assert (status["created_on_portal"], status["last_error"], status["pending_events"]) == (True, None, 0)
    assert status["attempts"] == 2


async def delivery_errors(stack: Stack) -> list[str | None]:
    async with stack.database.transaction(write=False) as session:
        return list((await session.scalars(select(EventDelivery.last_error).order_by(EventDelivery.id))).all())


async def test_a_payload_the_portal_rejects_is_explained_to_staff_not_to_the_logs(
    stack: Stack, tokens: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def without_the_agency(*args: Any, **kwargs: Any) -> dict[str, Any]:
        record = dossier_record(*args, **kwargs)
        del record["DonViXuLy"]
        return record

    monkeypatch.setattr(sender_module, "dossier_record", without_the_agency)
    code = (await receive(stack.api, tokens))["code"]
    assert await stack.dispatcher.run_once() == 1
    state = await stack.state()
    # Create refused as invalid; the update then refused as unknown: the first refusal is the one reported.
    assert [c["ok"] for c in calls(state)] == [False, False]
    status = await stack.sync_status(tokens, code)
    assert status["last_error"].startswith("DongBoHoSoMC refused (1): Dữ liệu không hợp lệ: 'DonViXuLy' is a required")
    assert await delivery_errors(stack) == ["DongBoHoSoMC refused (1)"]


async def test_a_portal_down_past_the_tries_dead_letters_until_staff_retrigger(
    stack: Stack, tokens: TokenFactory
) -> None:
    code = (await receive(stack.api, tokens))["code"]
    await stack.control("fail", count=1_000)
    await stack.drain()
    status = await stack.sync_status(tokens, code)
    assert (status["dead_events"], status["pending_events"], status["attempts"]) == (1, 0, FAST.max_attempts)
    assert status["last_error"] == "DongBoHoSoMC: HTTP 503"
    # Later events of the dossier wait behind the dead letter, in order.
    await act_ok(stack.api, tokens, code, "assign", {"unit": "Phòng Lãnh sự"}, role="leader")
    await stack.drain()
    assert (await stack.sync_status(tokens, code))["pending_events"] == 1
    # The portal is back; staff re-trigger: the dead letter, then the later event, go through.
    await stack.control("ok", count=0)
    retrigger = await stack.api.post(
        f"/api/v1/dossiers/{code}/portal-sync", headers=tokens.headers("processing_officer")
    )
    assert retrigger.status_code == 202, retrigger.text
    assert retrigger.json()["pending_events"] == 2
    await stack.drain()
    state = await stack.state()
    assert state["dossiers"][code]["TrangThaiHoSo"] == "4"
    assert steps(state, code) == ["Nộp hồ sơ", "Tiếp nhận hồ sơ", "Chuyển xử lý"]
    status = await stack.sync_status(tokens, code)
    assert (status["in_step"], status["dead_events"], status["last_error"]) == (True, 0, None)


async def test_a_retrigger_of_a_dossier_in_step_sends_its_record_again_but_no_step_twice(
    stack: Stack, tokens: TokenFactory
) -> None:
    code = (await receive(stack.api, tokens))["code"]
    await stack.drain()
    response = await stack.api.post(f"/api/v1/dossiers/{code}/portal-sync", headers=tokens.headers("leader"))
    assert response.status_code == 202
    assert response.json()["pending_events"] == 1
    await stack.drain()
    state = await stack.state()
    assert [c["ok"] for c in calls(state)] == [True, True]  # created, then updated once more
    assert len(calls(state, "CapNhatTienDoHoSoMC")) == 1
    assert (await stack.sync_status(tokens, code))["steps_sent"] == 2


async def test_a_dossier_filed_on_the_portal_is_synced_under_the_portals_code(
    stack: Stack, tokens: TokenFactory
) -> None:
    filed = await stack.api.post(
        "/api/v1/integrations/national-portal/dossiers",
        json={
            "MaHoSo": "G22.DN-260309-000123",
            "MaTTHC": "1.000948",
            "ChuHoSo": "Phạm Thị Dung",
            "NgayNopHoSo": "20260309083000",
        },
        headers=tokens.headers("integration"),
    )
    assert filed.status_code == 201, filed.text
    code = filed.json()["code"]
    await act_ok(stack.api, tokens, code, "receive", role="reception_officer")
    await stack.drain()
    state = await stack.state()
    assert set(state["dossiers"]) == {"G22.DN-260309-000123"}
    record = state["dossiers"]["G22.DN-260309-000123"]
    assert (record["KenhThucHien"], record["TrangThaiHoSo"], record["NgayNopHoSo"]) == ("2", "2", "20260309083000")
    assert (await stack.sync_status(tokens, code))["portal_code"] == "G22.DN-260309-000123"


async def test_a_timeout_is_a_failure_to_retry(
    committing_database: CommittingDatabase,
    dossier_settings: DossierSettings,
    committing_app: FastAPI,
    tokens: TokenFactory,
) -> None:
    def too_slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("the portal took too long", request=request)

    settings = portal_settings(dossier_settings)
    dispatcher = DossierDispatcher(committing_database, settings, portal_transport=httpx.MockTransport(too_slow))
    async with committing_database.transaction() as session:
        await sync_declared_subscriptions(session, STORE, dispatcher.settings.subscriptions)
    try:
        async with api_client(committing_app) as api:
            code = (await receive(api, tokens))["code"]
            assert await dispatcher.run_once() == 1
            status = (await api.get(f"/api/v1/dossiers/{code}/portal-sync", headers=tokens.headers("leader"))).json()
    finally:
        await dispatcher.aclose()
    assert status["last_error"] == "DongBoHoSoMC: ReadTimeout the portal took too long"
    assert status["pending_events"] == 1


async def test_without_a_portal_url_nothing_is_declared_and_the_status_says_so(
    committing_app: FastAPI,
    committing_database: CommittingDatabase,
    dossier_settings: DossierSettings,
    tokens: TokenFactory,
) -> None:
    settings = portal_settings(dossier_settings, url=None)
    assert portal_subscription(settings) is None
    dispatcher = DossierDispatcher(committing_database, settings)
    await dispatcher.aclose()
    assert [s.name for s in dispatcher.settings.subscriptions] == []
    async with api_client(committing_app) as api:
        code = (await receive(api, tokens))["code"]
        status = (await api.get(f"/api/v1/dossiers/{code}/portal-sync", headers=tokens.headers("leader"))).json()
        assert (status["enabled"], status["created_on_portal"], status["attempts"], status["last_attempt_at"]) == (
            False,
            False,
            0,
            None,
        )
        retrigger = await api.post(f"/api/v1/dossiers/{code}/portal-sync", headers=tokens.headers("leader"))
        assert_problem(retrigger, 409, "portal_sync_disabled")


async def test_only_staff_see_and_retrigger_the_sync(stack: Stack, tokens: TokenFactory) -> None:
    code = (await receive(stack.api, tokens))["code"]
    path = f"/api/v1/dossiers/{code}/portal-sync"
    for role in ("citizen", "intermediary", "reporter", "integration", "catalog_editor"):
        assert_problem(await stack.api.get(path, headers=tokens.headers(role)), 403)
        assert_problem(await stack.api.post(path, headers=tokens.headers(role)), 403)
    assert_problem(await stack.api.get(path), 401)
    assert_problem(
        await stack.api.get("/api/v1/dossiers/SNGV-260101-9999/portal-sync", headers=tokens.headers("leader")),
        404,
        "dossier_not_found",
    )
    assert (await stack.api.get(path, headers=tokens.headers("admin"))).status_code == 200


async def test_an_imported_dossier_has_nothing_to_sync(stack: Stack, tokens: TokenFactory) -> None:
    line = {
        "code": "SNGV-250106-0001",
        "procedure_code": "1.000948",
        "channel": "in_person",
        "applicant": {"name": "Võ Văn Em"},
        "received_at": "2025-01-06T02:00:00+00:00",
    }
    imported = await stack.api.post(
        "/api/v1/dossiers/import",
        content=json.dumps(line).encode() + b"\n",
        headers={"content-type": "application/x-ndjson", **tokens.headers("integration")},
    )
    assert imported.json()["imported"] == 1
    retrigger = await stack.api.post("/api/v1/dossiers/SNGV-250106-0001/portal-sync", headers=tokens.headers("leader"))
    assert_problem(retrigger, 409, "nothing_to_sync")


# --- the mapping, on its own ---------------------------------------------------------------------


def test_portal_dates_are_vietnam_wall_clock_times() -> None:
    instant = at(2026, 3, 9, 9, 5)
    assert portal_date(instant) == "20260309090500"
    assert portal_date(None) == ""
    assert parse_portal_date("20260309090500") == instant


@pytest.mark.parametrize(
    ("description", "kind"),
    [("Lệ phí cấp thẻ", "2"), ("Phí thẩm định hồ sơ", "1"), ("LỆ PHÍ hợp pháp hóa", "2"), ("Tiền in ấn", "2")],
)
def test_fee_kinds(description: str, kind: str) -> None:
    assert fee_kind(description) == kind


async def test_the_client_reports_what_is_not_the_portal_answering() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("DongBoHoSoMC"):
            return httpx.Response(200, text="<html>maintenance</html>")
        return httpx.Response(401, json={"error_code": "401"})

    client = PortalClient(TOKEN, timeout=1, transport=httpx.MockTransport(handler))
    try:
        dossier_answer = await client.sync_dossiers(PORTAL_URL, [], updating=False)
        progress_answer = await client.sync_progress(PORTAL_URL, [])
    finally:
        await client.aclose()
    assert (dossier_answer.accepted, dossier_answer.refused) == (False, False)
    assert dossier_answer.message == "DongBoHoSoMC: the answer is not the portal's"
    assert (progress_answer.status_code, progress_answer.message) == (401, "CapNhatTienDoHoSoMC: HTTP 401")


def test_the_contracts_the_fake_portal_enforces_are_the_committed_ones() -> None:
    for name in ("dossier-sync.schema.json", "dossier-progress.schema.json"):
        jsonschema.Draft202012Validator.check_schema(json.loads((CONTRACTS / name).read_text(encoding="utf-8")))


def test_empty_portal_settings_mean_no_portal() -> None:
    """Deployments always pass the variables; empty ones must not declare a portal at ''."""
    settings = NationalPortalSettings.model_validate({"url": "", "token": "", "agency_name": ""})
    assert (settings.url, settings.token, settings.agency_name) == (None, None, None)
