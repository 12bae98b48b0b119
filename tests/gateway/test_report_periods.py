"""Closed periods: stored figures that never change, reopening as a logged act, revisions kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from motcua_gateway.models import FrozenReport, ReportPeriodEvent
from motcua_gateway.reports.periods import PeriodKind, parse_period_key, period_over
from motcua_gateway.routes import UpstreamName
from motcua_gateway.upstream import Transport
from motcua_kit.errors import UnprocessableContent
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, assert_problem, error_fields
from tests.gateway.conftest import gateway_app
from tests.gateway.report_history import LegacyDossier, load_catalogue, load_dossiers, make_dossiers
from tests.gateway.test_reports import DownTransport

PERIODS = "/api/v1/reports/periods"
Q1 = {"from": "2022-01-01", "to": "2022-03-31", "agency": "SNGV"}


def correction(code: str) -> LegacyDossier:
    """A dossier of February 2022 entered late: it changes the live figures of the first quarter."""
    day = dt.date(2022, 2, 14)
    return LegacyDossier(code, "SNGV", "online", day, day + dt.timedelta(days=10), day + dt.timedelta(days=3),
                         day + dt.timedelta(days=3), "resolved", True, "online")  # fmt: skip


async def close(gateway: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await gateway.post(PERIODS, json=body, headers=headers)


async def test_a_closed_quarter_keeps_its_figures_until_it_is_reopened(
    gateway: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    await load_catalogue(gateway, tokens)
    await load_dossiers(gateway, tokens, make_dossiers(120, seed=11))
    reporter = tokens.headers("reporter", subject="reporter-1", name="Lê Thị Hoa")
    before = (await gateway.get("/api/v1/reports/overview", params=Q1, headers=reporter)).json()
    assert before["source"] == "live"

    closed = await close(gateway, reporter, period="2022-Q1", agency="SNGV", note="Báo cáo quý I")
    assert closed.status_code == 201, closed.text
    assert closed.headers["location"] == "/api/v1/reports/periods/2022-Q1?agency=SNGV"
    body = closed.json()
    assert (body["period"], body["kind"], body["from"], body["to"], body["agency"]) == (
        "2022-Q1",
        "quarter",
        "2022-01-01",
        "2022-03-31",
        "SNGV",
    )
    assert (body["status"], body["revision"]) == ("closed", 1)
    assert [(e["action"], e["by"], e["by_name"], e["reason"]) for e in body["log"]] == [
        ("close", "reporter-1", "Lê Thị Hoa", "Báo cáo quý I")
    ]

    frozen = (await gateway.get("/api/v1/reports/overview", params=Q1, headers=reporter)).json()
    assert frozen["source"] == "frozen"
    assert frozen["frozen"]["revision"] == 1
    assert frozen["frozen"]["closed_by"] == "reporter-1"
    strip = ("generated_at", "source", "frozen")
    assert {k: v for k, v in frozen.items() if k not in strip} == {k: v for k, v in before.items() if k not in strip}
    card = (await gateway.get("/api/v1/reports/scorecard", params=Q1, headers=reporter)).json()
    assert card["source"] == "frozen"

    # Records are corrected afterwards: the live figures move, the closed ones do not.
    await load_dossiers(gateway, tokens, [correction("SNGV-220214-0999")])
    live = (await gateway.get("/api/v1/reports/overview", params={**Q1, "live": "true"}, headers=reporter)).json()
    assert live["dossiers"]["received"]["new"]["value"] == before["dossiers"]["received"]["new"]["value"] + 1
    again = (await gateway.get("/api/v1/reports/overview", params=Q1, headers=reporter)).json()
    assert again["dossiers"] == before["dossiers"]
    pdf = await gateway.get("/api/v1/reports/overview", params={**Q1, "format": "pdf"}, headers=reporter)
    assert pdf.status_code == 200
    # Another period, or another scope, is live.
    other = (await gateway.get("/api/v1/reports/overview", params={**Q1, "agency": "OTHR"}, headers=reporter)).json()
    assert other["source"] == "live"

    assert_problem(await close(gateway, reporter, period="2022-Q1", agency="SNGV"), 409, "period_closed")

    leader = tokens.headers("leader", subject="leader-1")
    short = await gateway.post(
        f"{PERIODS}/2022-Q1/reopen", params={"agency": "SNGV"}, json={"reason": "sai"}, headers=leader
    )
    assert error_fields(assert_problem(short, 422)) == {"reason"}
    reason = "Hồ sơ SNGV-220214-0999 nhập muộn từ hệ thống cũ."
    reopened = await gateway.post(
        f"{PERIODS}/2022-Q1/reopen", params={"agency": "SNGV"}, json={"reason": reason}, headers=leader
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "reopened"
    assert [(e["action"], e["by"], e["reason"]) for e in reopened.json()["log"]][1:] == [("reopen", "leader-1", reason)]
    assert_problem(
        await gateway.post(
            f"{PERIODS}/2022-Q1/reopen", params={"agency": "SNGV"}, json={"reason": reason}, headers=leader
        ),
        409,
        "period_not_closed",
    )
    now_live = (await gateway.get("/api/v1/reports/overview", params=Q1, headers=reporter)).json()
    assert now_live["source"] == "live"
    assert now_live["dossiers"] == live["dossiers"]

    second = await close(gateway, tokens.headers("admin", subject="admin-1"), period="2022-Q1", agency="SNGV")
    assert second.status_code == 201, second.text
    assert (second.json()["revision"], [r["revision"] for r in second.json()["revisions"]]) == (2, [1, 2])
    assert [e["action"] for e in second.json()["log"]] == ["close", "reopen", "close"]
    first_revision = (
        await gateway.get(f"{PERIODS}/2022-Q1/revisions/1", params={"agency": "SNGV"}, headers=reporter)
    ).json()
    assert first_revision["overview"]["dossiers"] == before["dossiers"]
    assert first_revision["scorecard"]["source"] == "frozen"
    latest = (await gateway.get("/api/v1/reports/overview", params=Q1, headers=reporter)).json()
    assert (latest["frozen"]["revision"], latest["dossiers"]) == (2, live["dossiers"])

    listed = (await gateway.get(PERIODS, headers=reporter)).json()
    assert [(p["period"], p["agency"], p["status"]) for p in listed] == [("2022-Q1", "SNGV", "closed")]
    assert (await gateway.get(PERIODS, params={"status": "reopened"}, headers=reporter)).json() == []
    read = (await gateway.get(f"{PERIODS}/2022-Q1", params={"agency": "SNGV"}, headers=reporter)).json()
    assert read["revision"] == 2


async def test_stored_revisions_and_the_log_cannot_be_changed(
    gateway: httpx.AsyncClient, tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    closed = await close(gateway, tokens.headers("reporter"), period="2021")
    assert closed.status_code == 201, closed.text
    for statement in (
        update(FrozenReport).values(closed_by="someone else"),
        delete(FrozenReport),
        update(ReportPeriodEvent).values(reason="rewritten"),
        delete(ReportPeriodEvent),
    ):
        with pytest.raises(IntegrityError):
            async with gateway_database.transaction() as session:
                await session.execute(statement)
    async with gateway_database.transaction() as session:
        assert (await session.scalar(select(FrozenReport.closed_by))) == "tester"


async def test_periods_that_cannot_be_closed(gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    reporter = tokens.headers("reporter")
    with time_machine.travel(dt.datetime(2025, 3, 31, 16, 0, tzinfo=dt.UTC), tick=False):  # 23:00 in Hanoi
        assert_problem(await close(gateway, tokens.headers("reporter"), period="2025-Q1"), 409, "period_not_over")
        assert_problem(await close(gateway, tokens.headers("reporter"), period="2025"), 409, "period_not_over")
        assert_problem(await close(gateway, tokens.headers("reporter"), period="2025-04"), 409, "period_not_over")
    for period in ("2025-13", "2025-Q5", "1999", "25-01", "2025-1"):
        assert error_fields(assert_problem(await close(gateway, reporter, period=period), 422)) == {"period"}
    assert_problem(await close(gateway, reporter, period="2024", extra=True), 422)
    assert_problem(await gateway.get(f"{PERIODS}/2024-Q2", headers=reporter), 404, "report_period_not_found")
    assert_problem(await gateway.get(f"{PERIODS}/2024-Q9", headers=reporter), 422)
    assert_problem(
        await gateway.post(f"{PERIODS}/2024-Q2/reopen", json={"reason": "x" * 20}, headers=reporter),
        404,
        "report_period_not_found",
    )
    assert (await close(gateway, reporter, period="2024-Q2")).status_code == 201
    assert_problem(
        await gateway.get(f"{PERIODS}/2024-Q2/revisions/2", headers=reporter), 404, "report_revision_not_found"
    )


async def test_closing_and_reopening_need_reporter_leader_or_admin(
    gateway: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    for role in ("citizen", "processing_officer", "survey_admin", "integration"):
        assert_problem(await close(gateway, tokens.headers(role), period="2024"), 403)
        assert_problem(await gateway.get(PERIODS, headers=tokens.headers(role)), 403)
    assert_problem(await close(gateway, {}, period="2024"), 401)
    assert (await close(gateway, tokens.headers("leader"), period="2024")).status_code == 201
    assert_problem(
        await gateway.post(f"{PERIODS}/2024/reopen", json={"reason": "x" * 20}, headers=tokens.headers("citizen")), 403
    )


@asynccontextmanager
async def survey_down(
    service_transports: dict[UpstreamName, Transport],
    gateway_database: RolledBackDatabase,
    tokens: TokenFactory,
    key: ec.EllipticCurvePrivateKey,
) -> AsyncIterator[httpx.AsyncClient]:
    transports = {**service_transports, UpstreamName.SURVEY: DownTransport()}
    async with api_client(gateway_app(tokens, transports, gateway_database, key)) as client:
        yield client


async def test_a_period_is_not_closed_with_a_part_missing(
    service_transports: dict[UpstreamName, Transport],
    gateway_database: RolledBackDatabase,
    tokens: TokenFactory,
    gateway_key: ec.EllipticCurvePrivateKey,
) -> None:
    async with survey_down(service_transports, gateway_database, tokens, gateway_key) as gateway:
        reporter = tokens.headers("reporter")
        problem = assert_problem(await close(gateway, reporter, period="2023"), 503, "report_incomplete")
        assert problem["missing"][0]["part"] == "satisfaction"
        assert_problem(await gateway.get(f"{PERIODS}/2023", headers=reporter), 404)


def test_period_keys() -> None:
    q = parse_period_key("2024-Q1")
    assert (q.kind, q.first, q.last) == (PeriodKind.QUARTER, dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    february = parse_period_key("2024-02")
    assert (february.kind, february.last) == (PeriodKind.MONTH, dt.date(2024, 2, 29))
    year = parse_period_key("2023")
    assert (year.kind, year.first, year.last) == (PeriodKind.YEAR, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert parse_period_key("2023-Q4").first == dt.date(2023, 10, 1)
    assert not period_over(q, dt.date(2024, 3, 31))
    assert period_over(q, dt.date(2024, 4, 1))
    with pytest.raises(UnprocessableContent):
        parse_period_key("2023-Q0")
