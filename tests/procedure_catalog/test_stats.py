"""Statistics of the catalogue on a day."""

from __future__ import annotations

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
