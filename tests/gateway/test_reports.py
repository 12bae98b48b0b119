"""Reports at the gateway: who may read them, what happens when a service is down, the public summary,
the scorecard, and the exports (opened with openpyxl and pypdf)."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import zipfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from openpyxl import load_workbook
from pypdf import PdfReader
from starlette.types import Receive, Scope, Send

from motcua_gateway.config import ReportSettings, UpstreamSettings
from motcua_gateway.reports.compose import share
from motcua_gateway.reports.exports.pdf_export import chart_points
from motcua_gateway.reports.schemas import Overview
from motcua_gateway.reports.scorecard import score
from motcua_gateway.routes import UpstreamName
from motcua_gateway.upstream import ASGITransport, Body, Transport, UpstreamResponse, UpstreamUnavailable
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, assert_problem
from tests.gateway.conftest import PUBLIC_URL, gateway_app
from tests.gateway.fakes import echo_app
from tests.gateway.report_history import (
    load_catalogue,
    load_dossiers,
    load_evaluations,
    make_dossiers,
    make_evaluations,
)

PERIOD = {"from": "2022-01-01", "to": "2023-06-30"}
OVERVIEW = "/api/v1/reports/overview"
PERSONAL = ("Trần Thị Mai", "0905000111", "048090001234")


async def load_history(gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await load_catalogue(gateway, tokens)
    await load_dossiers(gateway, tokens, make_dossiers(80, seed=1))
    await load_evaluations(gateway, tokens, make_evaluations(16, seed=2))


class DownTransport:
    """A service that refuses every connection."""

    def __init__(self) -> None:
        self.calls = 0

    @asynccontextmanager
    async def request(self, method: str, target: bytes, headers: Any, body: Body) -> AsyncIterator[UpstreamResponse]:
        self.calls += 1
        raise UpstreamUnavailable("connection refused")
        yield  # pragma: no cover - makes this a generator

    async def aclose(self) -> None:
        return None


async def failing_app(scope: Scope, receive: Receive, send: Send) -> None:
    body = b'{"type":"urn:motcua:problem:database_unavailable","code":"database_unavailable","status":503}'
    await send({"type": "http.response.start", "status": 503, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


@asynccontextmanager
async def gateway_with(
    tokens: TokenFactory,
    transports: Mapping[UpstreamName, Transport],
    database: RolledBackDatabase,
    key: ec.EllipticCurvePrivateKey | None,
    **overrides: Any,
) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = gateway_app(tokens, transports, database, key, **overrides)
    async with api_client(app) as client:
        yield client


# --- who may read -----------------------------------------------------------------------------------


async def test_reports_need_reporter_leader_or_admin(gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    assert_problem(await gateway.get(OVERVIEW, params=PERIOD), 401)
    for role in ("citizen", "reception_officer", "processing_officer", "survey_admin", "integration"):
        assert_problem(await gateway.get(OVERVIEW, params=PERIOD, headers=tokens.headers(role)), 403, "missing_role")
        assert_problem(await gateway.get("/api/v1/reports/scorecard", headers=tokens.headers(role)), 403)
    for role in ("reporter", "leader", "admin"):
        response = await gateway.get(OVERVIEW, params=PERIOD, headers=tokens.headers(role))
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"


async def test_a_system_client_with_the_reporter_role_reads_reports_and_lists(
    gateway: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    await load_dossiers(gateway, tokens, make_dossiers(20, seed=3))
    created = await gateway.post(
        "/api/v1/api-clients",
        json={"name": "home-affairs", "display_name": "Sở Nội vụ", "roles": ["reporter"]},
        headers=tokens.headers("admin"),
    )
    assert created.status_code == 201, created.text
    key = {"X-API-Key": created.json()["api_key"]}
    overview = (await gateway.get(OVERVIEW, params=PERIOD, headers=key)).json()
    assert overview["complete"] is True
    new = overview["dossiers"]["received"]["new"]
    assert (await gateway.get(new["list"], headers=key)).json()["total"] == new["value"]


async def test_bad_periods_are_422(gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    reporter = tokens.headers("reporter")
    for params in (
        {"from": "2023-02-01", "to": "2023-01-01"},
        {"from": "1999-12-31", "to": "2000-01-31"},
        {"from": "2000-01-01", "to": "2030-01-01"},
        {"from": "2023-02-30"},
        {"format": "docx"},
        {"agency": "x" * 30},
    ):
        assert_problem(await gateway.get(OVERVIEW, params=params, headers=reporter), 422)


# --- a service down -----------------------------------------------------------------------------------


async def test_a_service_down_leaves_its_part_missing_not_the_overview(
    service_transports: dict[UpstreamName, Transport],
    gateway_database: RolledBackDatabase,
    tokens: TokenFactory,
    gateway_key: ec.EllipticCurvePrivateKey,
) -> None:
    down = DownTransport()
    transports = {**service_transports, UpstreamName.SURVEY: down}
    settings = {"survey": UpstreamSettings(url="http://survey.invalid", retries=0, breaker_failures=2)}
    async with gateway_with(tokens, transports, gateway_database, gateway_key, **settings) as gateway:
        await load_catalogue(gateway, tokens)
        await load_dossiers(gateway, tokens, make_dossiers(30, seed=4))
        reporter = tokens.headers("reporter")
        first = (await gateway.get(OVERVIEW, params=PERIOD, headers=reporter)).json()
        assert first["complete"] is False
        assert first["missing"] == [
            {
                "part": "satisfaction",
                "service": "satisfaction-survey",
                "code": "upstream_unavailable",
                "reason": "The satisfaction-survey service is not reachable.",
            }
        ]
        assert first["satisfaction"] is None
        assert first["catalogue"] is not None
        assert first["dossiers"] is not None
        assert {m["responses"] for m in first["monthly"]} == {None}
        await gateway.get(OVERVIEW, params=PERIOD, headers=reporter)
        calls = down.calls
        # The breaker is open now: the service is not even asked.
        third = (await gateway.get(OVERVIEW, params=PERIOD, headers=reporter)).json()
        assert third["missing"][0]["code"] == "circuit_open"
        assert down.calls == calls
        card = (await gateway.get("/api/v1/reports/scorecard", params=PERIOD, headers=reporter)).json()
        satisfaction = next(g for g in card["groups"] if g["key"] == "satisfaction")
        assert satisfaction["points"] is None
        assert card["max_points"] == 82.0
        for export in ("csv", "xlsx", "pdf"):
            response = await gateway.get(OVERVIEW, params={**PERIOD, "format": export}, headers=reporter)
            assert response.status_code == 200, response.text
        public = (await gateway.get("/api/v1/reports/public", params=PERIOD)).json()
        assert public["missing"] == ["satisfaction"]
        assert public["satisfied_share"] is None


@pytest.mark.parametrize(
    ("transport", "code"),
    [(ASGITransport(failing_app), "upstream_refused"), (ASGITransport(echo_app), "bad_answer")],
)
async def test_a_refusing_or_garbled_service_is_a_missing_part(  # noqa: PLR0917 - pytest fixtures
    service_transports: dict[UpstreamName, Transport],
    gateway_database: RolledBackDatabase,
    tokens: TokenFactory,
    gateway_key: ec.EllipticCurvePrivateKey,
    transport: Transport,
    code: str,
) -> None:
    transports = {**service_transports, UpstreamName.CATALOG: transport}
    async with gateway_with(tokens, transports, gateway_database, gateway_key) as gateway:
        overview = (await gateway.get(OVERVIEW, params=PERIOD, headers=tokens.headers("leader"))).json()
    assert [(m["part"], m["code"]) for m in overview["missing"]] == [("catalogue", code)]
    if code == "upstream_refused":
        assert "503 (database_unavailable)" in overview["missing"][0]["reason"]


async def test_a_slow_service_times_out_into_a_missing_part(
    service_transports: dict[UpstreamName, Transport],
    gateway_database: RolledBackDatabase,
    tokens: TokenFactory,
    gateway_key: ec.EllipticCurvePrivateKey,
) -> None:
    async def slow_app(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(30)

    transports = {**service_transports, UpstreamName.DOSSIER: ASGITransport(slow_app)}
    reports = ReportSettings(upstream_timeout_seconds=1.5)
    async with gateway_with(tokens, transports, gateway_database, gateway_key, reports=reports) as gateway:
        overview = (await gateway.get(OVERVIEW, params=PERIOD, headers=tokens.headers("reporter"))).json()
    assert [(m["part"], m["code"]) for m in overview["missing"]] == [("dossiers", "upstream_timeout")]
    assert overview["dossiers"] is None
    assert {m["received"] for m in overview["monthly"]} == {None}


async def test_without_a_signing_key_the_callers_token_is_used_and_anonymous_gets_nothing(
    service_transports: dict[UpstreamName, Transport],
    gateway_database: RolledBackDatabase,
    tokens: TokenFactory,
) -> None:
    async with gateway_with(tokens, service_transports, gateway_database, None) as gateway:
        overview = (await gateway.get(OVERVIEW, params=PERIOD, headers=tokens.headers("reporter"))).json()
        assert overview["complete"] is True
        public = (await gateway.get("/api/v1/reports/public", params=PERIOD)).json()
    assert public["missing"] == ["catalogue", "dossiers", "satisfaction"]


# --- the public summary --------------------------------------------------------------------------------


async def test_the_public_summary_has_headline_figures_only(gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await load_history(gateway, tokens)
    overview = (await gateway.get(OVERVIEW, params=PERIOD, headers=tokens.headers("reporter"))).json()
    response = await gateway.get("/api/v1/reports/public", params=PERIOD)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["procedures_in_force"] == overview["catalogue"]["in_force"]
    assert summary["received"] == overview["dossiers"]["received"]["total"]["value"]
    assert summary["resolved_on_time_or_early"] == overview["dossiers"]["resolved"]["on_time_or_early"]["value"]
    assert summary["satisfied_share"] == overview["satisfaction"]["satisfied_share"]
    assert summary["missing"] == []
    assert "/api/v1/dossiers" not in response.text
    assert not any(value in response.text for value in PERSONAL)
    assert response.headers["cache-control"].startswith("public")


# --- the scorecard --------------------------------------------------------------------------------------


async def test_the_scorecard_shows_its_inputs_and_adds_up(gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await load_history(gateway, tokens)
    reporter = tokens.headers("reporter")
    overview = (await gateway.get(OVERVIEW, params=PERIOD, headers=reporter)).json()
    card = (await gateway.get("/api/v1/reports/scorecard", params=PERIOD, headers=reporter)).json()
    assert [g["key"] for g in card["groups"]] == [
        "publicity",
        "progress",
        "online_services",
        "online_payment",
        "satisfaction",
        "digitisation",
    ]
    assert [g["max_points"] for g in card["groups"]] == [18, 20, 12, 10, 18, 22]
    inputs = {i["key"]: i for g in card["groups"] for i in g["inputs"]}
    dossiers, catalogue, survey = overview["dossiers"], overview["catalogue"], overview["satisfaction"]
    assert (inputs["announced_in_time"]["numerator"], inputs["announced_in_time"]["denominator"]) == (2, 3)
    assert inputs["resolved_on_time_or_early"]["numerator"] == dossiers["resolved"]["on_time_or_early"]["value"]
    assert inputs["resolved_on_time_or_early"]["denominator"] == dossiers["resolved"]["total"]["value"]
    assert inputs["procedures_online"]["numerator"] == catalogue["online"]
    assert inputs["paid_online"]["denominator"] == dossiers["paid"]["value"]
    assert inputs["satisfied"]["numerator"] == survey["satisfied"]
    assert inputs["feedback_resolved"]["denominator"] == survey["feedback"]["opened"]
    assert inputs["results_digital"]["numerator"] == dossiers["results_online"]["value"]
    for group in card["groups"]:
        for item in group["inputs"]:
            if item["denominator"]:
                assert item["share"] == share(item["numerator"], item["denominator"])
                assert item["points"] == round(item["weight"] * item["share"], 2)
        scored = [i for i in group["inputs"] if i["points"] is not None]
        expected = sum(i["points"] for i in scored) * group["max_points"] / sum(i["weight"] for i in scored)
        assert group["points"] == pytest.approx(expected, abs=0.01)
    assert card["max_points"] == 100.0
    assert card["points"] == pytest.approx(sum(g["points"] for g in card["groups"]), abs=0.01)
    assert card["score"] == pytest.approx(card["points"], abs=0.01)


def test_an_input_with_nothing_to_count_is_not_scored() -> None:
    document: dict[str, Any] = {
        "period": {"from": "2025-01-01", "to": "2025-01-31"},
        "agency": None,
        "generated_at": "2025-02-01T00:00:00Z",
        "source": "live",
        "complete": False,
        "missing": [],
        "catalogue": None,
        "dossiers": None,
        "satisfaction": {
            "target": 0.95,
            "responses": 20,
            "satisfied": 19,
            "satisfied_share": 0.95,
            "mean_overall_score": 4.5,
            "target_met": False,
            "factors": [],
            "invitations": 25,
            "answered_invitations": 20,
            "response_rate": 0.8,
            "online": {"responses": 20, "satisfied": 19, "satisfied_share": 0.95, "target_met": False},
            "paper": {"responses": 0, "satisfied": 0, "satisfied_share": None, "target_met": None},
            "feedback": {"opened": 0, "resolved": 0, "resolved_share": None, "complaints": 0},
        },
        "monthly": [],
    }
    card = score(Overview.model_validate(document))
    satisfaction = next(g for g in card.groups if g.key == "satisfaction")
    feedback = next(i for i in satisfaction.inputs if i.key == "feedback_resolved")
    assert (feedback.share, feedback.points) == (None, None)
    # 19/20 of the 6 points, scaled to the group's 18 as the only scored input.
    assert satisfaction.points == pytest.approx(0.95 * 18, abs=0.01)
    assert (card.points, card.max_points, card.score) == (satisfaction.points, 18.0, 95.0)
    assert all(g.points is None for g in card.groups if g.key != "satisfaction")


# --- exports -------------------------------------------------------------------------------------------


async def test_the_overview_as_xlsx(gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await load_history(gateway, tokens)
    reporter = tokens.headers("reporter")
    overview = (await gateway.get(OVERVIEW, params=PERIOD, headers=reporter)).json()
    response = await gateway.get(OVERVIEW, params={**PERIOD, "format": "xlsx"}, headers=reporter)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["content-disposition"] == 'attachment; filename="bao-cao-all-20220101-20230630.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Tổng hợp", "Theo tháng", "Chấm điểm"]
    figures = workbook["Tổng hợp"]
    rows = {row[1].value: row for row in figures.iter_rows() if row[1].value}
    new = rows["Tiếp nhận mới trong kỳ"]
    assert new[2].value == overview["dossiers"]["received"]["new"]["value"]
    assert new[3].hyperlink.target == PUBLIC_URL + overview["dossiers"]["received"]["new"]["list"]
    assert rows["Tỷ lệ hài lòng"][2].value == overview["satisfaction"]["satisfied_share"]
    assert rows["Tỷ lệ hài lòng"][2].number_format == "0.00%"
    assert rows["Thủ tục đang có hiệu lực"][2].value == overview["catalogue"]["in_force"]
    months = workbook["Theo tháng"]
    table = [row for row in months.iter_rows(values_only=True) if row[0] and str(row[0])[:2] == "20"]
    assert [row[0] for row in table] == [m["month"] for m in overview["monthly"]]
    assert [row[1] for row in table] == [m["received"]["value"] for m in overview["monthly"]]
    assert [row[3] for row in table] == [m["on_time_or_early"]["value"] for m in overview["monthly"]]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = archive.read(charts[0]).decode()
    assert chart.count("<c:ser>") == 3
    assert "<c:barChart>" in chart
    assert "<c:lineChart>" in chart
    assert not any(value.encode() in response.content for value in PERSONAL)


async def test_the_overview_as_csv_in_english(gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await load_history(gateway, tokens)
    reporter = tokens.headers("reporter")
    overview = (await gateway.get(OVERVIEW, params=PERIOD, headers=reporter)).json()
    response = await gateway.get(
        OVERVIEW, params={**PERIOD, "format": "csv"}, headers={**reporter, "Accept-Language": "en"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == "en"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Section", "Figure", "Value", "Dossier list"]
    by_figure = {(row[0], row[1]): row for row in rows[1:]}
    overdue = by_figure["Dossiers", "In progress: overdue"]
    assert int(overdue[2]) == overview["dossiers"]["in_progress"]["overdue"]["value"]
    assert overdue[3] == PUBLIC_URL + overview["dossiers"]["in_progress"]["overdue"]["list"]
    assert float(by_figure["Satisfaction", "Satisfaction rate"][2]) == overview["satisfaction"]["satisfied_share"]
    month = overview["monthly"][0]
    assert int(by_figure[f"By month {month['month']}", "Received"][2]) == month["received"]["value"]
    assert by_figure["Scored after Decision 766/QĐ-TTg", "Score (out of 100)"][2]
    assert not any(value in response.text for value in PERSONAL)


async def test_the_overview_as_a_printable_pdf(gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await load_history(gateway, tokens)
    reporter = tokens.headers("reporter")
    overview = (await gateway.get(OVERVIEW, params=PERIOD, headers=reporter)).json()
    response = await gateway.get(OVERVIEW, params={**PERIOD, "format": "pdf", "agency": "SNGV"}, headers=reporter)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Báo cáo kết quả giải quyết thủ tục hành chính" in text
    assert "Tiếp nhận mới trong kỳ" in text
    assert "Chấm điểm theo Quyết định 766/QĐ-TTg" in text
    assert "Đúng hạn, trước hạn" in text  # the chart's legend
    uris = {
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object()
    }
    sngv = (await gateway.get(OVERVIEW, params={**PERIOD, "agency": "SNGV"}, headers=reporter)).json()
    assert PUBLIC_URL + sngv["dossiers"]["received"]["new"]["list"] in uris
    assert PUBLIC_URL + sngv["monthly"][0]["received"]["list"] in uris
    # The chart: one filled rectangle per non-zero column.
    columns = sum(1 for m in sngv["monthly"] for key in ("received", "on_time_or_early") if m[key]["value"])
    contents = reader.pages[0].get_contents()
    assert contents is not None
    drawing = contents.get_data().decode("latin-1")
    assert drawing.count(" re f") >= columns
    assert overview["dossiers"]["received"]["new"]["value"] >= sngv["dossiers"]["received"]["new"]["value"]
    assert not any(value in text for value in PERSONAL)


def test_a_long_period_is_charted_by_year() -> None:
    months = [f"{year}-{month:02d}" for year in range(2011, 2021) for month in range(1, 13)]
    overview = Overview.model_validate(
        {
            "period": {"from": "2011-01-01", "to": "2020-12-31"},
            "agency": None,
            "generated_at": dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
            "source": "live",
            "complete": True,
            "missing": [],
            "catalogue": None,
            "dossiers": None,
            "satisfaction": None,
            "monthly": [
                {
                    "month": month,
                    "received": {"value": 10, "list": "/api/v1/dossiers?x=1"},
                    "resolved": None,
                    "on_time_or_early": {"value": 9, "list": "/api/v1/dossiers?x=2"},
                    "late": None,
                    "responses": 4,
                    "satisfied": 3,
                    "satisfied_share": 0.75,
                }
                for month in months
            ],
        }
    )
    points = chart_points(overview)
    assert [p.label for p in points] == [str(year) for year in range(2011, 2021)]
    assert (points[0].received, points[0].on_time, points[0].satisfaction) == (120, 108, 0.75)
