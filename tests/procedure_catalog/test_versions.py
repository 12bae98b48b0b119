"""The history of a procedure: its versions, each one readable, and what each changed."""

from __future__ import annotations

from motcua_kit.testing import assert_problem
from tests.procedure_catalog.factories import Catalogue


async def test_versions_list_the_history_with_their_decisions(catalogue: Catalogue) -> None:
    code = await catalogue.published(effective_on="2019-01-01")
    await catalogue.amend(code, {"name_en": "Second name"}, effective_on="2020-01-01")
    await catalogue.announce(("abolish", code), effective_on="2021-01-01")
    versions = (await catalogue.client.get(f"/api/v1/procedures/{code}/versions")).json()
    assert [
        (v["number"], v["action"], v["status"], v["valid_from"], v["valid_until"], v["in_force"]) for v in versions
    ] == [
        (1, "create", "published", "2019-01-01", "2020-01-01", False),
        (2, "amend", "published", "2020-01-01", "2021-01-01", False),
        (3, "abolish", "abolished", "2021-01-01", None, True),
    ]
    assert all(v["announcement"]["number"] for v in versions)

    first = await catalogue.client.get(f"/api/v1/procedures/{code}/versions/1")
    assert first.json()["name_en"] != "Second name"
    assert first.headers["etag"] == f'"procedure-{code}-v1"'
    assert_problem(await catalogue.client.get(f"/api/v1/procedures/{code}/versions/9"), 404, "version_not_found")
    assert_problem(await catalogue.client.get("/api/v1/procedures/0.000000/versions"), 404, "procedure_not_found")


async def test_diff_names_each_changed_field(catalogue: Catalogue) -> None:
    code = await catalogue.published(effective_on="2019-01-01")
    channels = [
        {
            "channel": "online",
            "processing_time": {"value": 8, "unit": "working_days"},
            "fees": [{"amount_vnd": 100000, "unit": "đồng/hồ sơ", "description_vi": "Lệ phí trực tuyến"}],
        },
        {"channel": "postal", "processing_time": {"value": 12, "unit": "working_days"}},
    ]
    await catalogue.amend(code, {"name_en": "Renamed", "channels": channels, "results": []}, effective_on="2020-01-01")
    diff = (await catalogue.client.get(f"/api/v1/procedures/{code}/versions/2/diff")).json()
    assert (diff["version"], diff["previous_version"]) == (2, 1)
    changes = {c["path"]: c for c in diff["changes"]}
    assert changes["name_en"]["before"].startswith("Test procedure")
    assert changes["name_en"]["after"] == "Renamed"
    assert changes["channels[in_person]"]["change"] == "removed"
    assert changes["channels[postal]"]["change"] == "added"
    assert changes["channels[online].fees[0].amount_vnd"] == {
        "path": "channels[online].fees[0].amount_vnd",
        "change": "changed",
        "before": 150000,
        "after": 100000,
    }
    assert changes["results[0]"]["change"] == "removed"
    assert "field" not in {path.split(".")[0] for path in changes}


async def test_an_abolition_changes_only_the_status(catalogue: Catalogue) -> None:
    code = await catalogue.published(effective_on="2019-01-01")
    await catalogue.announce(("abolish", code), effective_on="2020-01-01")
    diff = (await catalogue.client.get(f"/api/v1/procedures/{code}/versions/2/diff")).json()
    assert (diff["status"], diff["previous_status"], diff["changes"]) == ("abolished", "published", [])


async def test_the_first_version_differs_from_nothing(catalogue: Catalogue) -> None:
    code = await catalogue.published()
    diff = (await catalogue.client.get(f"/api/v1/procedures/{code}/versions/1/diff")).json()
    assert diff["previous_version"] is None
    assert {c["change"] for c in diff["changes"]} == {"added"}
    assert "name_vi" in {c["path"] for c in diff["changes"]}


async def test_absurd_days_and_numbers_are_422(catalogue: Catalogue) -> None:
    code = await catalogue.published()
    for params in ({"at": "0001-01-01"}, {"at": "2024-02-30"}, {"at": "yesterday"}):
        body = assert_problem(await catalogue.client.get(f"/api/v1/procedures/{code}", params=params), 422)
        assert body["errors"][0]["field"] == "at"
    assert_problem(await catalogue.client.get(f"/api/v1/procedures/{code}/versions/0"), 422)
    assert_problem(await catalogue.client.get(f"/api/v1/procedures/{code}/versions/99999999999"), 422)
