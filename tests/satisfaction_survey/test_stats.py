from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import time_machine

from motcua_kit.testing import RolledBackDatabase, TokenFactory, assert_problem, error_fields
from satisfaction_survey.demo import seed_demo
from satisfaction_survey.stats import rules
from satisfaction_survey.stats.period import split_period
from satisfaction_survey.stats.totals import TotalsRepository
from tests.satisfaction_survey.factories import BASE, answer_on_paper, answer_online, invite, publish


def at(instant: str) -> time_machine.travel:
    return time_machine.travel(dt.datetime.fromisoformat(instant), tick=False)


async def stats(client: httpx.AsyncClient, tokens: TokenFactory, **params: str) -> dict[str, Any]:
    response = await client.get(f"{BASE}/stats", params=params, headers=tokens.headers("reporter"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def factor(figures: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in figures["factors"] if f["factor"] == name)
    return found


@pytest.fixture
async def evaluations(client: httpx.AsyncClient, tokens: TokenFactory) -> dict[str, Any]:
    """March 2026: five invitations; three answered online (all 5; all 4 but access 3; all 2).
    1 April 2026 (Vietnam): one answered on paper (all 3). One never answered."""
    with at("2026-03-10T03:00:00+00:00"):
        questionnaire = await publish(client, tokens)
        invitations = [await invite(client, tokens) for _ in range(5)]
        await answer_online(client, invitations[0]["token"], questionnaire, score=5)
        await answer_online(client, invitations[1]["token"], questionnaire, score=4, access=3)
        await answer_online(client, invitations[2]["token"], questionnaire, score=2)
    # 18:30 UTC on 31 March is 01:30 on 1 April in Hanoi.
    with at("2026-03-31T18:30:00+00:00"):
        await answer_on_paper(client, tokens, invitations[3]["dossier_code"], questionnaire, score=3)
    return questionnaire


async def test_the_index(client: httpx.AsyncClient, tokens: TokenFactory, evaluations: dict[str, Any]) -> None:
    body = await stats(client, tokens)
    assert (body["invitations"], body["answered_invitations"], body["response_rate"]) == (5, 4, 0.8)
    assert body["target"] == 0.95
    everything = body["all"]
    assert (everything["responses"], everything["satisfied"], everything["satisfied_share"]) == (4, 2, 0.5)
    assert (everything["mean_overall_score"], everything["target_met"]) == (3.5, False)
    assert factor(everything, "access") == {
        "factor": "access",
        "answers": 4,
        "satisfied": 1,
        "satisfied_share": 0.25,
        "mean_score": 3.25,
    }
    assert factor(everything, "overall")["satisfied_share"] == everything["satisfied_share"]
    assert [f["factor"] for f in everything["factors"]] == [
        "access",
        "procedure",
        "civil_servant",
        "result",
        "feedback_handling",
        "overall",
    ]
    questions = {q["key"]: q for q in everything["questions"]}
    assert set(questions) == {"access", "procedure", "civil_servant", "result", "feedback_handling", "overall"}
    assert (questions["procedure"]["answers"], questions["procedure"]["mean_score"]) == (4, 3.5)
    assert questions["access"]["questionnaire_version"] == evaluations["version"]

    online, paper = body["online"], body["paper"]
    assert (online["responses"], online["satisfied"], online["satisfied_share"]) == (3, 2, 0.6667)
    assert online["mean_overall_score"] == 3.67
    assert (paper["responses"], paper["satisfied"], paper["satisfied_share"], paper["target_met"]) == (1, 0, 0.0, False)
    assert factor(paper, "result") == {
        "factor": "result",
        "answers": 1,
        "satisfied": 0,
        "satisfied_share": 0.0,
        "mean_score": 3.0,
    }

    march, april = body["monthly"]
    assert (march["month"], march["invitations"], march["answered_invitations"], march["responses"]) == (
        "2026-03",
        5,
        4,
        3,
    )
    assert (march["online"]["responses"], march["paper"]["responses"], march["satisfied_share"]) == (3, 0, 0.6667)
    assert (april["month"], april["invitations"], april["responses"], april["paper"]["responses"]) == (
        "2026-04",
        0,
        1,
        1,
    )
    assert april["response_rate"] is None


async def test_days_are_counted_in_vietnam(
    client: httpx.AsyncClient, tokens: TokenFactory, evaluations: dict[str, Any]
) -> None:
    april = await stats(client, tokens, **{"from": "2026-04-01", "to": "2026-04-30"})
    assert (april["all"]["responses"], april["paper"]["responses"], april["invitations"]) == (1, 1, 0)
    assert [m["month"] for m in april["monthly"]] == ["2026-04"]
    march = await stats(client, tokens, **{"from": "2026-03-01", "to": "2026-03-31"})
    assert (march["all"]["responses"], march["invitations"], march["response_rate"]) == (3, 5, 0.8)


async def test_filters(client: httpx.AsyncClient, tokens: TokenFactory, evaluations: dict[str, Any]) -> None:
    other = await invite(client, tokens, agency_code="STP", procedure_code="2.000635", channel="online")
    await answer_online(client, other["token"], evaluations, score=5)
    assert (await stats(client, tokens))["all"]["responses"] == 5
    for params in ({"agency": "STP"}, {"procedure": "2.000635"}, {"channel": "online"}):
        body = await stats(client, tokens, **params)
        assert (body["invitations"], body["all"]["responses"], body["all"]["satisfied_share"]) == (1, 1, 1.0)
        assert body["all"]["target_met"] is True
    sngv = await stats(client, tokens, agency="SNGV", channel="in_person", procedure="1.000948")
    assert (sngv["invitations"], sngv["all"]["responses"]) == (5, 4)
    assert sngv["filters"] == {"agency": "SNGV", "procedure": "1.000948", "channel": "in_person"}


async def test_totals_match_a_rebuild_from_the_raw_rows(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase, evaluations: dict[str, Any]
) -> None:
    before = await stats(client, tokens)
    async with survey_database.transaction() as session:
        await TotalsRepository(session).rebuild()
    assert await stats(client, tokens) == before


async def test_no_responses(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = await stats(client, tokens)
    assert (body["invitations"], body["response_rate"], body["monthly"]) == (0, None, [])
    assert body["all"]["responses"] == 0
    assert (body["all"]["satisfied_share"], body["all"]["target_met"], body["all"]["mean_overall_score"]) == (
        None,
        None,
        None,
    )
    assert all(f["answers"] == 0 and f["satisfied_share"] is None for f in body["all"]["factors"])
    period = await stats(client, tokens, **{"from": "2026-01-15", "to": "2026-03-02"})
    assert [m["month"] for m in period["monthly"]] == ["2026-01", "2026-02", "2026-03"]
    assert period["period"] == {"from": "2026-01-15", "to": "2026-03-02"}


async def test_demo_data_shows_in_the_index(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase
) -> None:
    await seed_demo(survey_database)
    body = await stats(client, tokens, agency="DEMO")
    assert (body["invitations"], body["answered_invitations"]) == (30, 24)
    assert (body["online"]["responses"], body["paper"]["responses"]) == (16, 8)
    feedback = (await client.get(f"{BASE}/feedback", headers=tokens.headers("survey_admin"))).json()
    assert feedback["total"] >= 1


def test_target_is_strictly_above() -> None:
    assert rules.target_met(19, 20, 0.95) is False  # exactly 95% is not "above 95%"
    assert rules.target_met(20, 20, 0.95) is True
    assert rules.target_met(951, 1000, 0.95) is True
    assert rules.target_met(0, 0, 0.95) is None


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"from": "2026-05-01", "to": "2026-04-01"}, {"to"}),
        ({"from": "1800-01-01"}, {"from"}),
        ({"to": "not-a-date"}, {"to"}),
        ({"channel": "fax"}, {"channel"}),
        ({"agency": "x" * 30}, {"agency"}),
        ({"procedure": "1.0\x00"}, {"procedure"}),
    ],
)
async def test_bad_parameters_are_422(
    client: httpx.AsyncClient, tokens: TokenFactory, params: dict[str, str], fields: set[str]
) -> None:
    response = await client.get(f"{BASE}/stats", params=params, headers=tokens.headers("reporter"))
    assert error_fields(assert_problem(response, 422)) == fields


@pytest.mark.parametrize("role", ["citizen", "integration", "reception_officer", "catalog_editor"])
async def test_the_index_is_for_leaders_reporters_and_survey_admins(
    client: httpx.AsyncClient, tokens: TokenFactory, role: str
) -> None:
    assert_problem(await client.get(f"{BASE}/stats", headers=tokens.headers(role)), 403)
    assert_problem(await client.get(f"{BASE}/stats"), 401)
    for allowed in ("leader", "survey_admin", "reporter"):
        assert (await client.get(f"{BASE}/stats", headers=tokens.headers(allowed))).status_code == 200


async def test_periods_mixing_whole_months_and_edge_days(
    client: httpx.AsyncClient, tokens: TokenFactory, evaluations: dict[str, Any]
) -> None:
    edges = await stats(client, tokens, **{"from": "2026-03-10", "to": "2026-04-01"})
    assert (edges["all"]["responses"], edges["invitations"]) == (4, 5)
    after = await stats(client, tokens, **{"from": "2026-03-11", "to": "2026-05-31"})
    assert (after["all"]["responses"], after["paper"]["responses"], after["invitations"]) == (1, 1, 0)
    assert [m["month"] for m in after["monthly"]] == ["2026-03", "2026-04", "2026-05"]
    open_start = await stats(client, tokens, to="2026-03-31")
    assert (open_start["all"]["responses"], open_start["invitations"]) == (3, 5)
    open_end = await stats(client, tokens, **{"from": "2026-03-15"})
    assert open_end["all"]["responses"] == 1


@pytest.mark.parametrize(
    ("first", "last", "months", "days"),
    [
        (None, None, (None, None), []),
        ("2025-03-01", "2025-03-31", ("2025-03-01", "2025-04-01"), []),
        (
            "2025-03-15",
            "2025-09-10",
            ("2025-04-01", "2025-09-01"),
            [("2025-03-15", "2025-03-31"), ("2025-09-01", "2025-09-10")],
        ),
        ("2025-03-15", "2025-04-10", None, [("2025-03-15", "2025-04-10")]),
        ("2025-02-01", "2025-02-28", ("2025-02-01", "2025-03-01"), []),
        ("2024-02-01", "2024-02-28", None, [("2024-02-01", "2024-02-28")]),  # 2024 is a leap year
        (None, "2025-06-15", (None, "2025-06-01"), [("2025-06-01", "2025-06-15")]),
        ("2025-12-02", None, ("2026-01-01", None), [("2025-12-02", "2025-12-31")]),
    ],
)
def test_split_period(
    first: str | None,
    last: str | None,
    months: tuple[str | None, str | None] | None,
    days: list[tuple[str, str]],
) -> None:
    def day(text: str | None) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    split = split_period(day(first), day(last))
    assert split.months == (None if months is None else (day(months[0]), day(months[1])))
    assert split.days == [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in days]


async def test_feedback_opened_in_the_period_and_where_it_stands(
    client: httpx.AsyncClient, tokens: TokenFactory, evaluations: dict[str, Any]
) -> None:
    march = {"from": "2026-03-01", "to": "2026-03-31"}
    assert (await stats(client, tokens, **march))["feedback"] == {
        "opened": 1,
        "acknowledged": 0,
        "resolved": 0,
        "complaints": 0,
        "resolved_share": 0.0,
    }
    officer = tokens.headers("processing_officer")
    item = (await client.get(f"{BASE}/feedback", headers=officer)).json()["items"][0]
    etag = (await client.get(f"{BASE}/feedback/{item['id']}", headers=officer)).headers["etag"]
    resolved = await client.patch(
        f"{BASE}/feedback/{item['id']}",
        json={"status": "resolved", "response_text": "Đã trả lời công dân."},
        headers={**officer, "If-Match": etag},
    )
    assert resolved.status_code == 200, resolved.text
    assert (await stats(client, tokens, **march))["feedback"]["resolved_share"] == 1.0
    assert (await stats(client, tokens, **march, channel="online"))["feedback"]["opened"] == 0
    assert (await stats(client, tokens, **march, channel="in_person"))["feedback"]["resolved"] == 1
    assert (await stats(client, tokens, **march, agency="STP"))["feedback"]["opened"] == 0
    april = await stats(client, tokens, **{"from": "2026-04-01", "to": "2026-04-30"})
    assert april["feedback"] == {
        "opened": 0,
        "acknowledged": 0,
        "resolved": 0,
        "complaints": 0,
        "resolved_share": None,
    }
