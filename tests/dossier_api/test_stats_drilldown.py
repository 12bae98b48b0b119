"""Every count of the statistics links to the dossier list that produces it: same filters, same total."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import time_machine

from motcua_kit.testing import TokenFactory, assert_problem, error_fields
from tests.dossier_api.factories import act_ok, at, receive


def legacy(code: str, **fields: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "code": code,
        "agency_code": "DRIL",
        "procedure_code": "1.000948",
        "channel": "in_person",
        "applicant": {"name": "Phạm Minh Đức", "phone": "0912000111"},
    }
    line.update(fields)
    return line


HISTORY = [
    # carried over into 2025, resolved late in January, result returned online
    legacy(
        "DRIL-241220-0001",
        received_at="2024-12-20T09:00:00+07:00",
        due_at="2025-01-09T09:00:00+07:00",
        resolved_at="2025-01-10T09:00:00+07:00",
        return_method="online",
    ),
    # carried over and still in progress: overdue at the end of the quarter
    legacy(
        "DRIL-241215-0001", channel="postal", received_at="2024-12-15T09:00:00+07:00", due_at="2025-01-20T09:00+07:00"
    ),
    legacy(
        "DRIL-250105-0001",
        channel="online",
        paid_online=True,
        received_at="2025-01-05T09:00:00+07:00",
        due_at="2025-01-15T09:00:00+07:00",
        resolved_at="2025-01-14T09:00:00+07:00",
        return_method="online",
    ),
    legacy(
        "DRIL-250203-0001",
        channel="postal",
        received_at="2025-02-03T09:00:00+07:00",
        due_at="2025-02-10T09:00:00+07:00",
        resolved_at="2025-02-10T16:00:00+07:00",
    ),
    legacy(
        "DRIL-250301-0001", channel="online", received_at="2025-03-01T09:00:00+07:00", due_at="2025-03-10T09:00+07:00"
    ),
    legacy("DRIL-250325-0001", received_at="2025-03-25T09:00:00+07:00", due_at="2025-04-05T09:00:00+07:00"),
    legacy("DRIL-250215-0001", outcome="refused", finished_at="2025-02-15T09:00:00+07:00"),
    legacy(
        "DRIL-250201-0001",
        channel="online",
        outcome="withdrawn",
        paid_online=True,
        received_at="2025-02-01T09:00:00+07:00",
        due_at="2025-02-10T09:00:00+07:00",
        finished_at="2025-02-20T09:00:00+07:00",
    ),
    legacy(
        "DRIL-250110-0001",
        outcome="stopped",
        received_at="2025-01-10T09:00:00+07:00",
        due_at="2025-01-30T09:00:00+07:00",
        finished_at="2025-03-03T09:00:00+07:00",
    ),
    # finished before the quarter: counted nowhere in it
    legacy(
        "DRIL-241101-0001",
        received_at="2024-11-01T09:00:00+07:00",
        due_at="2024-12-01T09:00:00+07:00",
        resolved_at="2024-12-01T09:00:00+07:00",
    ),
    # resolved in April, after the quarter: in progress (and overdue) at its end
    legacy(
        "DRIL-250310-0001",
        received_at="2025-03-10T09:00:00+07:00",
        due_at="2025-03-20T09:00:00+07:00",
        resolved_at="2025-04-02T09:00:00+07:00",
    ),
    # another agency's dossier: out of scope
    legacy("OTHR-250105-0001", agency_code="OTHR", received_at="2025-01-05T09:00:00+07:00"),
]


async def load_history(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = b"".join(orjson.dumps(line) + b"\n" for line in HISTORY)
    response = await client.post(
        "/api/v1/dossiers/import",
        content=body,
        headers={"content-type": "application/x-ndjson", **tokens.headers("integration")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["imported"] == len(HISTORY), response.text


async def live_dossiers(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    """Dossiers of March 2026 through the API: paid online and resolved, paused, paid at the counter."""
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        paid = (await receive(client, tokens, result_return={"method": "online"}))["code"]
        paused = (await receive(client, tokens, channel="online"))["code"]
        cash = (await receive(client, tokens, channel="postal"))["code"]
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        await act_ok(client, tokens, paid, "fees")
        await act_ok(client, tokens, paid, "payment", {"method": "online"}, role="integration")
        await act_ok(client, tokens, cash, "fees")
        await act_ok(client, tokens, cash, "payment", {"method": "cash"})
        await act_ok(client, tokens, paused, "pause", {"reason": "Chờ xác minh"})
    with time_machine.travel(at(2026, 3, 12, 15), tick=False):
        await act_ok(client, tokens, paid, "resolve", {"result_number": "12/GP", "result_date": "2026-03-12"})


def figure(document: dict[str, Any], path: str) -> int:
    node: Any = document
    for part in path.split("."):
        node = node[part]
    assert isinstance(node, int), path
    return node


async def assert_links_reproduce(client: httpx.AsyncClient, tokens: TokenFactory, params: dict[str, str]) -> int:
    """Every link of the statistics gives a list whose total is its figure; returns the links checked."""
    reporter = tokens.headers("reporter")
    stats = (await client.get("/api/v1/dossiers/stats", params=params, headers=reporter)).json()
    checks: list[tuple[str, int, str]] = [(path, figure(stats, path), url) for path, url in stats["links"].items()]
    for row in stats["monthly"]:
        checks += [(f"monthly.{row['month']}.{name}", row[name], url) for name, url in row["links"].items()]
    wrong = []
    for path, expected, url in checks:
        assert url.startswith("/api/v1/dossiers?"), url
        response = await client.get(url, headers=reporter)
        assert response.status_code == 200, (path, response.text)
        if response.json()["total"] != expected:
            wrong.append(f"{path}: figure {expected}, list {response.json()['total']} ({url})")
    assert not wrong, "\n".join(wrong)
    return len(checks)


async def test_every_figure_of_a_past_quarter_links_to_its_list(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    await load_history(client, tokens)
    params = {"from": "2025-01-01", "to": "2025-03-31", "agency": "DRIL"}
    stats = (await client.get("/api/v1/dossiers/stats", params=params, headers=tokens.headers("leader"))).json()
    # The figures themselves, so the comparison is not between two empty lists.
    assert stats["received"]["new"] == 7
    assert stats["received"]["carried_over"] == 2
    assert stats["resolved"] == {
        "total": 3,
        "early": 1,
        "on_time": 1,
        "late": 1,
        "on_time_or_early": 2,
        "on_time_or_early_rate": 0.6667,
    }
    assert stats["in_progress"] == {"total": 4, "in_time": 1, "overdue": 3}
    assert (stats["refused"], stats["withdrawn"], stats["stopped"]) == (1, 1, 1)
    assert (stats["paid_online"], stats["paid"], stats["paid_online_share"]) == (2, 2, 1.0)
    assert stats["results_online"] == 2
    assert await assert_links_reproduce(client, tokens, params) > 40


async def test_links_hold_for_every_scope_and_for_live_dossiers(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    await load_history(client, tokens)
    await live_dossiers(client, tokens)
    for params in (
        {"from": "2024-12-01", "to": "2025-02-15"},
        {"from": "2025-02-01", "to": "2025-04-30", "agency": "DRIL", "procedure": "1.000948"},
        {"from": "2026-03-01", "to": "2026-03-31"},
        {"from": "2026-03-01", "to": "2026-03-10", "agency": "SNGV"},
    ):
        await assert_links_reproduce(client, tokens, params)
    march = (
        await client.get(
            "/api/v1/dossiers/stats",
            params={"from": "2026-03-01", "to": "2026-03-31", "agency": "SNGV"},
            headers=tokens.headers("leader"),
        )
    ).json()
    assert (march["paid"], march["paid_online"], march["results_online"]) == (2, 1, 1)
    assert march["in_progress"]["total"] == 2


async def test_the_links_are_the_lists_own_filters(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await load_history(client, tokens)
    params = {"from": "2025-01-01", "to": "2025-03-31", "agency": "DRIL"}
    stats = (await client.get("/api/v1/dossiers/stats", params=params, headers=tokens.headers("reporter"))).json()
    overdue = parse_qs(urlsplit(stats["links"]["in_progress.overdue"]).query)
    assert overdue == {
        "receiving_agency": ["DRIL"],
        "progress": ["overdue"],
        "progress_on": ["2025-03-31"],
    }
    carried = parse_qs(urlsplit(stats["links"]["received.carried_over"]).query)
    assert carried == {"receiving_agency": ["DRIL"], "received_to": ["2024-12-31"], "open_after": ["2024-12-31"]}
    listed = await client.get(stats["links"]["in_progress.overdue"], headers=tokens.headers("reporter"))
    codes = {item["code"] for item in listed.json()["items"]}
    assert codes == {"DRIL-241215-0001", "DRIL-250301-0001", "DRIL-250310-0001"}


async def test_new_list_filters_are_validated(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    staff = tokens.headers("leader")
    for params in ({"progress": "late"}, {"progress_on": "2025-02-30"}, {"paid": "perhaps"}, {"return_method": "fax"}):
        assert_problem(await client.get("/api/v1/dossiers", params=params, headers=staff), 422)


async def test_progress_judged_on_a_day_out_of_range_is_422(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    """Found by fuzzing: judging progress at the end of 31 December 9999 overflowed (500)."""
    params = {"progress": "overdue", "progress_on": "9999-12-31"}
    response = await client.get("/api/v1/dossiers", params=params, headers=tokens.headers("leader"))
    assert error_fields(assert_problem(response, 422)) == {"progress_on"}
