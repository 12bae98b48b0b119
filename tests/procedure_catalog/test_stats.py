"""Statistics of the catalogue on a day."""

from __future__ import annotations

import datetime as dt

from motcua_kit.testing import assert_problem
from procedure_catalog.stats.rules import announced_in_time, weekdays_after
from tests.procedure_catalog.factories import Catalogue

IN_PERSON = {"channel": "in_person", "processing_time": {"value": 5, "unit": "working_days"}}


async def test_counts_on_a_day(catalogue: Catalogue) -> None:
    await catalogue.published(effective_on="2020-01-01")  # online (partial, level 3), in person
    await catalogue.published(
        effective_on="2020-01-01",
        channels=[IN_PERSON],
        online_level="none",
        legacy_online_level=2,
        one_stop=False,
        internal=True,
    )
    gone = await catalogue.published(effective_on="2020-01-01", legacy_online_level=None, inter_agency=True)
    await catalogue.announce(("abolish", gone), effective_on="2021-01-01")

    stats = (await catalogue.client.get("/api/v1/procedures/stats", params={"at": "2021-06-01"})).json()
    assert stats["as_of"] == "2021-06-01"
    assert stats["total"] == 3
    assert stats["by_status"] == {"published": 2, "abolished": 1}
    assert stats["in_force"] == 2
    assert stats["by_online_level"] == {"full": 0, "partial": 1, "none": 1}
    assert stats["by_legacy_online_level"] == {"1": 0, "2": 1, "3": 1, "4": 0, "unset": 0}
    assert stats["online_submission_legacy"] == 1
    assert stats["by_channel"] == {"in_person": 2, "online": 1, "postal": 0}
    assert stats["by_authority_level"]["province"] == 2
    assert stats["by_field"] == [{"code": "NGV-DN", "name": "Ngoại vụ", "count": 2}]
    assert stats["by_agency"][0]["code"] == "SNGV"
    assert (stats["one_stop"], stats["inter_agency"], stats["internal"]) == (1, 0, 1)
    assert stats["announcements"] == {"decisions": 4, "created": 3, "amended": 0, "abolished": 1}

    before = (await catalogue.client.get("/api/v1/procedures/stats", params={"at": "2020-06-01"})).json()
    assert (before["in_force"], before["inter_agency"], before["by_status"]["abolished"]) == (3, 1, 0)
    assert before["announcements"]["abolished"] == 0


async def test_stats_in_english_and_by_field(catalogue: Catalogue) -> None:
    await catalogue.published()
    response = await catalogue.client.get(
        "/api/v1/procedures/stats", params={"field": "NGV-DN"}, headers={"Accept-Language": "en"}
    )
    assert response.json()["by_field"] == [{"code": "NGV-DN", "name": "Foreign affairs", "count": 1}]
    assert response.headers["content-language"] == "en"
    other = (await catalogue.client.get("/api/v1/procedures/stats", params={"field": "OTHER"})).json()
    assert (other["in_force"], other["by_field"]) == (0, [])


async def test_changes_in_a_period_scoped_and_announced_in_time(catalogue: Catalogue) -> None:
    # Before the period: not counted.
    old = await catalogue.published(effective_on="2019-06-01")
    # In 2020: two created by one decision signed 2019-12-02 (in time: the 20th working day is 12-30).
    first, second = (await catalogue.draft()).json()["code"], (await catalogue.draft()).json()["code"]
    created = await catalogue.announce(
        ("create", first), ("create", second), effective_on="2020-01-01", signed_on="2019-12-02"
    )
    assert created.status_code == 201, created.text
    # An amendment signed a week before it took effect (late), and an abolition signed the same day (late).
    await catalogue.amend(old, {"name_en": "Renamed"}, effective_on="2020-03-02")
    await catalogue.announce(("abolish", second), effective_on="2020-06-01", signed_on="2020-06-01")
    # Another agency's procedure, created in 2020 in time.
    agency = {"name_vi": "Sở Tư pháp", "name_en": "Department of Justice", "authority_level": "province"}
    assert (await catalogue.client.put("/api/v1/agencies/STP", json=agency, headers=catalogue.editor)).status_code in {
        200,
        201,
    }
    justice = (await catalogue.draft(agency_code="STP")).json()["code"]
    await catalogue.announce(("create", justice), effective_on="2020-09-01", signed_on="2020-07-01")
    # After the period: not counted.
    await catalogue.published(effective_on="2021-02-01")

    params = {"at": "2020-12-31", "since": "2020-01-01"}
    period = (await catalogue.client.get("/api/v1/procedures/stats", params=params)).json()["changes_in_period"]
    assert period == {
        "from": "2020-01-01",
        "to": "2020-12-31",
        "decisions": 4,
        "announced_in_time": 2,
        "created": 3,
        "amended": 1,
        "abolished": 1,
    }
    scoped = (await catalogue.client.get("/api/v1/procedures/stats", params={**params, "agency": "SNGV"})).json()
    assert scoped["changes_in_period"] == {**period, "decisions": 3, "announced_in_time": 1, "created": 2}
    assert (await catalogue.client.get("/api/v1/procedures/stats", params={"at": "2020-12-31"})).json()[
        "changes_in_period"
    ] is None
    backwards = await catalogue.client.get(
        "/api/v1/procedures/stats", params={"at": "2020-01-01", "since": "2020-02-01"}
    )
    assert_problem(backwards, 422, "invalid_period")


def test_announced_in_time_counts_twenty_weekdays() -> None:
    monday = dt.date(2025, 3, 3)
    assert weekdays_after(monday, monday) == 0
    assert weekdays_after(monday, monday + dt.timedelta(days=7)) == 5
    assert weekdays_after(dt.date(2025, 3, 7), dt.date(2025, 3, 10)) == 1  # Friday to Monday
    assert announced_in_time(monday, dt.date(2025, 3, 31))  # the 20th working day after
    assert not announced_in_time(monday, dt.date(2025, 3, 28))
    assert not announced_in_time(monday, monday)
