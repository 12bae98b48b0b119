"""Historical NDJSON import (streamed, idempotent, with reasons) and the statistics computed in SQL."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI

from dossier_api.imports.cli import main as cli_main
from dossier_api.imports.cli import run_import
from motcua_kit.testing import TokenFactory, api_client, assert_problem, error_fields

NDJSON = {"content-type": "application/x-ndjson"}


def legacy(code: str, **fields: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "code": code,
        "procedure_code": "1.000948",
        "procedure_name": "Cấp thẻ ABTC",
        "channel": "in_person",
        "applicant": {"name": "Phạm Minh Đức", "phone": "0912000111"},
    }
    line.update(fields)
    return line


def ndjson(*lines: dict[str, Any] | str) -> bytes:
    return b"".join((line.encode() if isinstance(line, str) else orjson.dumps(line)) + b"\n" for line in lines)


async def upload(client: httpx.AsyncClient, tokens: TokenFactory, body: bytes) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/dossiers/import", content=body, headers={**NDJSON, **tokens.headers("integration")}
    )
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def test_import_is_idempotent_and_reports_rejected_lines(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = ndjson(
        legacy(
            "SNGV-200115-0001",
            received_at="2020-01-15T09:00:00+07:00",
            due_at="2020-01-22T09:00:00+07:00",
            resolved_at="2020-01-21T15:00:00+07:00",
            returned_at="2020-01-22T08:00:00+07:00",
            result_number="12/GP",
        ),
        legacy("SNGV-200115-0002", received_at="2020-01-15T10:00:00+07:00", due_at="2020-01-10T10:00:00+07:00"),
        "{not json",
        legacy("bad code", received_at="2020-01-15T10:00:00+07:00"),
        "",
        legacy("SNGV-200116-0001", outcome="refused", finished_at="2020-01-16T09:00:00+07:00"),
    )
    report = await upload(client, tokens, body)
    assert (report["lines"], report["imported"], report["already_present"], report["rejected"]) == (5, 2, 0, 3)
    reasons = {r["line"]: r for r in report["rejections"]}
    assert set(reasons) == {2, 3, 4}
    assert reasons[2]["code"] == "SNGV-200115-0002"
    assert any("due_at" in reason for reason in reasons[2]["reasons"])
    assert reasons[3]["code"] is None
    assert any(reason.startswith("code") for reason in reasons[4]["reasons"])

    again = await upload(client, tokens, body)
    assert (again["imported"], again["already_present"], again["rejected"]) == (0, 2, 3)

    read = await client.get("/api/v1/dossiers/SNGV-200115-0001", headers=tokens.headers("leader"))
    dossier = read.json()
    assert (dossier["status"], dossier["timeliness"], dossier["result_number"]) == ("returned", "early", "12/GP")
    lookup = await client.get("/api/v1/tracking/SNGV-200115-0001", params={"phone": "0912000111"})
    assert lookup.json()["status"] == "returned"


async def test_import_streams_a_large_body(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for n in range(1, 2501):
            line = legacy(f"SNGV-190301-{n:04d}", received_at="2019-03-01T09:00:00+07:00")
            yield ndjson(line)[:-1]
            yield b"\n"

    response = await client.post(
        "/api/v1/dossiers/import", content=chunks(), headers={**NDJSON, **tokens.headers("integration")}
    )
    assert response.json()["imported"] == 2500


async def test_import_needs_ndjson_and_the_integration_role(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = ndjson(legacy("SNGV-200115-0009", received_at="2020-01-15T09:00:00+07:00"))
    url = "/api/v1/dossiers/import"
    assert_problem(await client.post(url, content=body, headers=NDJSON), 401)
    assert_problem(await client.post(url, content=body, headers={**NDJSON, **tokens.headers("reception_officer")}), 403)
    empty = await client.post(url, content=b"\n\n", headers={**NDJSON, **tokens.headers("integration")})
    assert_problem(empty, 422, "empty_import")
    wrong_type = {"content-type": "text/csv", **tokens.headers("integration")}
    assert_problem(await client.post(url, content=body, headers=wrong_type), 415)


async def test_overlong_lines_are_rejected_not_buffered(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    huge = legacy("SNGV-200115-0003", received_at="2020-01-15T09:00:00+07:00", procedure_name="x" * 70_000)
    report = await upload(
        client, tokens, ndjson(huge, legacy("SNGV-200115-0004", received_at="2020-01-15T09:00:00+07:00"))
    )
    assert (report["imported"], report["rejected"]) == (1, 1)
    assert "longer than" in report["rejections"][0]["reasons"][0]


async def test_lines_with_nul_characters_are_rejected_naming_the_field(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    """PostgreSQL refuses NUL in text (a probe beside the fuzzing found it), so the whole import was a 500 there."""
    bad = legacy("SNGV-200115-0005", received_at="2020-01-15T09:00:00+07:00", procedure_name="ABTC\x00")
    good = legacy("SNGV-200115-0006", received_at="2020-01-15T09:00:00+07:00")
    report = await upload(client, tokens, ndjson(bad, good))
    assert (report["imported"], report["rejected"]) == (1, 1)
    rejection = report["rejections"][0]
    assert (rejection["line"], rejection["code"]) == (1, "SNGV-200115-0005")
    assert rejection["reasons"] == ["procedure_name: must not contain the NUL character (U+0000)"]


async def test_the_import_body_limit_is_its_own(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    # 2 MB passes on the import route (the default limit elsewhere is 1 MiB).
    lines = [
        legacy(f"SNGV-180301-{n:04d}", received_at="2018-03-01T09:00:00+07:00", procedure_name="y" * 400)
        for n in range(1, 4001)
    ]
    body = ndjson(*lines)
    assert len(body) > 2_000_000
    assert (await upload(client, tokens, body))["imported"] == 4000
    too_big = b"{" + b" " * 2_000_000 + b"}"
    response = await client.post(
        "/api/v1/dossiers",
        content=too_big,
        headers={"content-type": "application/json", **tokens.headers("integration")},
    )
    assert_problem(response, 413)


# --- statistics ----------------------------------------------------------------------------------


def stat(code: str, **fields: Any) -> dict[str, Any]:
    return legacy(code, agency_code="STAT", **fields)


STATS_DATA = ndjson(
    # carried over from 2024, resolved late in January
    stat(
        "STAT-241220-0001",
        received_at="2024-12-20T09:00:00+07:00",
        due_at="2025-01-09T09:00:00+07:00",
        resolved_at="2025-01-10T09:00:00+07:00",
    ),
    stat(
        "STAT-250105-0001",
        channel="online",
        paid_online=True,
        received_at="2025-01-05T09:00:00+07:00",
        due_at="2025-01-15T09:00:00+07:00",
        resolved_at="2025-01-14T09:00:00+07:00",
    ),
    stat(
        "STAT-250203-0001",
        channel="postal",
        received_at="2025-02-03T09:00:00+07:00",
        due_at="2025-02-10T09:00:00+07:00",
        resolved_at="2025-02-10T16:00:00+07:00",
    ),
    stat(
        "STAT-250301-0001",
        channel="online",
        received_at="2025-03-01T09:00:00+07:00",
        due_at="2025-03-10T09:00:00+07:00",
    ),
    stat("STAT-250325-0001", received_at="2025-03-25T09:00:00+07:00", due_at="2025-04-05T09:00:00+07:00"),
    stat("STAT-250215-0001", outcome="refused", finished_at="2025-02-15T09:00:00+07:00"),
    stat(
        "STAT-250201-0001",
        channel="online",
        outcome="withdrawn",
        received_at="2025-02-01T09:00:00+07:00",
        due_at="2025-02-10T09:00:00+07:00",
        finished_at="2025-02-20T09:00:00+07:00",
    ),
    stat(
        "STAT-241101-0001",
        received_at="2024-11-01T09:00:00+07:00",
        due_at="2024-12-01T09:00:00+07:00",
        resolved_at="2024-12-01T09:00:00+07:00",
    ),
    stat("STAT-250405-0001", received_at="2025-04-05T09:00:00+07:00", due_at="2025-04-15T09:00:00+07:00"),
)


async def test_statistics_of_a_quarter(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    assert (await upload(client, tokens, STATS_DATA))["imported"] == 9
    response = await client.get(
        "/api/v1/dossiers/stats",
        params={"from": "2025-01-01", "to": "2025-03-31", "agency": "STAT"},
        headers=tokens.headers("reporter"),
    )
    assert response.status_code == 200, response.text
    stats = response.json()
    assert stats["received"] == {
        "total": 6,
        "new": 5,
        "carried_over": 1,
        "new_by_channel": {"in_person": 1, "online": 3, "postal": 1},
        "carried_over_by_channel": {"in_person": 1, "online": 0, "postal": 0},
    }
    assert stats["resolved"] == {
        "total": 3,
        "early": 1,
        "on_time": 1,
        "late": 1,
        "on_time_or_early": 2,
        "on_time_or_early_rate": 0.6667,
    }
    assert stats["in_progress"] == {"total": 2, "in_time": 1, "overdue": 1}
    assert (stats["refused"], stats["withdrawn"], stats["stopped"]) == (1, 1, 0)
    assert (stats["online_share"], stats["postal_share"], stats["paid_online"]) == (0.6, 0.2, 1)
    assert [{k: v for k, v in row.items() if k not in {"links", "on_time_or_early"}} for row in stats["monthly"]] == [
        {
            "month": "2025-01",
            "received": 1,
            "resolved": 2,
            "early": 1,
            "on_time": 0,
            "late": 1,
            "refused": 0,
            "withdrawn": 0,
        },
        {
            "month": "2025-02",
            "received": 2,
            "resolved": 1,
            "early": 0,
            "on_time": 1,
            "late": 0,
            "refused": 1,
            "withdrawn": 1,
        },
        {
            "month": "2025-03",
            "received": 2,
            "resolved": 0,
            "early": 0,
            "on_time": 0,
            "late": 0,
            "refused": 0,
            "withdrawn": 0,
        },
    ]
    by_procedure = await client.get(
        "/api/v1/dossiers/stats",
        params={"from": "2025-01-01", "to": "2025-03-31", "agency": "STAT", "procedure": "9.999"},
        headers=tokens.headers("leader"),
    )
    assert by_procedure.json()["received"]["total"] == 0


@pytest.mark.parametrize(
    "params", [{"from": "2025-02-01", "to": "2025-01-01"}, {"from": "1990-01-01", "to": "2025-01-01"}, {"from": "x"}]
)
async def test_bad_periods_are_422(client: httpx.AsyncClient, tokens: TokenFactory, params: dict[str, str]) -> None:
    assert_problem(await client.get("/api/v1/dossiers/stats", params=params, headers=tokens.headers("leader")), 422)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"to": "0001-01-01"}, "to"),
        ({"from": "9999-12-30", "to": "9999-12-31"}, "from"),
        ({"from": "1989-12-31"}, "from"),
    ],
)
async def test_days_out_of_range_are_422_naming_the_field(
    client: httpx.AsyncClient, tokens: TokenFactory, params: dict[str, str], field: str
) -> None:
    """Found by fuzzing: the day before 1 January of year 1 (or the end of 31 December 9999) was a 500."""
    response = await client.get("/api/v1/dossiers/stats", params=params, headers=tokens.headers("leader"))
    assert field in error_fields(assert_problem(response, 422))


async def test_statistics_need_leader_or_reporter(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    assert_problem(await client.get("/api/v1/dossiers/stats", headers=tokens.headers("citizen")), 403)


async def test_the_cli_sends_a_file_in_chunks(
    dossier_app: FastAPI, tokens: TokenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [legacy(f"SNGV-170301-{n:04d}", received_at="2017-03-01T09:00:00+07:00") for n in range(1, 13)]
    lines[6] = legacy("SNGV-170301-0007")  # no reception time: rejected
    export = tmp_path / "legacy.ndjson"
    export.write_bytes(ndjson(*lines))
    async with api_client(dossier_app):
        totals = await run_import(
            io.BytesIO(export.read_bytes()),
            export.stat().st_size,
            base_url="http://testserver",
            token=tokens.token("integration"),
            lines_per_chunk=5,
            transport=httpx.ASGITransport(app=dossier_app),
            show_progress=False,
        )
    assert (totals.lines, totals.imported, totals.rejected) == (12, 11, 1)
    assert totals.rejections[0]["line"] == 7
    monkeypatch.delenv("DOSSIER_IMPORT_TOKEN", raising=False)
    assert cli_main([str(export)]) == 2
