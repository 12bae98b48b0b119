"""Announcement decisions publish, amend and abolish procedures, all or nothing."""

from __future__ import annotations

from typing import Any

from motcua_kit.testing import TokenFactory, assert_problem, error_fields
from tests.procedure_catalog.factories import Catalogue


async def test_a_decision_publishes_the_draft_from_its_effective_date(catalogue: Catalogue) -> None:
    code = (await catalogue.draft()).json()["code"]
    response = await catalogue.announce(("create", code), effective_on="2023-05-10", number="100/QĐ-UBND")
    assert response.status_code == 201, response.text
    decision = response.json()
    assert decision["number"] == "100/QĐ-UBND"
    assert decision["source"] == "decision"
    assert (decision["created"], decision["amended"], decision["abolished"]) == (1, 0, 0)
    assert decision["changes"] == [
        {"position": 0, "action": "create", "procedure_code": code, "version": 1, "note": None}
    ]
    assert response.headers["location"] == f"/api/v1/announcements/{decision['id']}"

    read = (await catalogue.client.get(f"/api/v1/procedures/{code}")).json()
    assert (read["version"], read["status"], read["valid_from"], read["valid_until"]) == (
        1,
        "published",
        "2023-05-10",
        None,
    )
    assert read["announcement"]["number"] == "100/QĐ-UBND"
    before = await catalogue.client.get(f"/api/v1/procedures/{code}", params={"at": "2023-05-09"})
    assert_problem(before, 404, "no_version_in_force")
    # The draft was consumed.
    assert_problem(await catalogue.client.get(f"/api/v1/procedures/{code}/draft", headers=catalogue.editor), 404)


async def test_an_amendment_is_a_new_version_and_closes_the_previous(catalogue: Catalogue) -> None:
    code = await catalogue.published(effective_on="2020-01-01")
    fee = {"amount_vnd": 500000, "unit": "đồng/hồ sơ", "description_vi": "Lệ phí mới"}
    channels = [{"channel": "online", "processing_time": {"value": 3, "unit": "working_days"}, "fees": [fee]}]
    amended = await catalogue.amend(code, {"channels": channels}, effective_on="2022-07-01")
    assert amended.status_code == 201, amended.text
    assert amended.json()["changes"][0]["version"] == 2

    old = (await catalogue.client.get(f"/api/v1/procedures/{code}", params={"at": "2022-06-30"})).json()
    new = (await catalogue.client.get(f"/api/v1/procedures/{code}", params={"at": "2022-07-01"})).json()
    assert (old["version"], old["valid_until"]) == (1, "2022-07-01")
    assert (new["version"], new["valid_until"]) == (2, None)
    assert old["channels"][0]["fees"][0]["amount_vnd"] == 200000
    assert new["channels"][0]["fees"][0]["amount_vnd"] == 500000
    assert (await catalogue.client.get(f"/api/v1/procedures/{code}")).json()["version"] == 2


async def test_an_abolished_procedure_stays_readable_and_is_marked(catalogue: Catalogue) -> None:
    code = await catalogue.published(effective_on="2020-01-01")
    response = await catalogue.announce(("abolish", code), effective_on="2021-01-01")
    assert response.status_code == 201, response.text
    read = (await catalogue.client.get(f"/api/v1/procedures/{code}")).json()
    assert (read["status"], read["version"], read["valid_from"]) == ("abolished", 2, "2021-01-01")
    assert read["name_vi"]
    assert (await catalogue.client.get(f"/api/v1/procedures/{code}", params={"at": "2020-12-31"})).json()["status"] == (
        "published"
    )
    listed = (await catalogue.client.get("/api/v1/procedures")).json()
    assert code not in [p["code"] for p in listed["items"]]
    abolished = (await catalogue.client.get("/api/v1/procedures", params={"status": "abolished"})).json()
    assert [p["code"] for p in abolished["items"]] == [code]


async def test_a_decision_touching_an_unknown_or_abolished_procedure_applies_nothing(catalogue: Catalogue) -> None:
    kept = await catalogue.published(effective_on="2020-01-01")
    gone = await catalogue.published(effective_on="2020-01-01")
    assert (await catalogue.announce(("abolish", gone), effective_on="2021-01-01")).status_code == 201
    fresh = (await catalogue.draft()).json()["code"]

    response = await catalogue.announce(
        ("create", fresh), ("abolish", kept), ("amend", "0.999999"), ("abolish", gone), effective_on="2022-01-01"
    )
    body = assert_problem(response, 422, "announcement_not_applicable")
    assert {(e["field"], e["type"]) for e in body["errors"]} == {
        ("changes.2.procedure_code", "unknown_procedure"),
        ("changes.3.procedure_code", "procedure_abolished"),
    }
    assert "0.999999" in body["detail"]
    assert gone in body["detail"]
    # Nothing of it: the new procedure is still a draft, the other still in force, no decision recorded.
    assert_problem(await catalogue.client.get(f"/api/v1/procedures/{fresh}"), 404)
    assert (await catalogue.client.get(f"/api/v1/procedures/{kept}")).json()["status"] == "published"
    assert (await catalogue.client.get("/api/v1/announcements")).json()["total"] == 3


async def test_each_change_must_be_possible(catalogue: Catalogue) -> None:
    published = await catalogue.published(effective_on="2020-01-01")
    without_draft = (await catalogue.draft()).json()["code"]
    response = await catalogue.announce(
        ("create", published),
        ("amend", published + "X"),
        effective_on="2022-01-01",
    )
    assert {e["type"] for e in assert_problem(response, 422)["errors"]} == {
        "procedure_already_published",
        "unknown_procedure",
    }
    assert {e["type"] for e in assert_problem(await catalogue.announce(("amend", published)), 422)["errors"]} == {
        "no_open_draft"
    }
    assert {e["type"] for e in assert_problem(await catalogue.announce(("abolish", without_draft)), 422)["errors"]} == {
        "unknown_procedure"
    }
    twice = await catalogue.announce(("abolish", published), ("abolish", published))
    assert error_fields(assert_problem(twice, 422)) == {"changes.0.procedure_code", "changes.1.procedure_code"}


async def test_history_is_only_extended(catalogue: Catalogue) -> None:
    code = await catalogue.published(effective_on="2022-01-01")
    response = await catalogue.announce(("abolish", code), effective_on="2022-01-01")
    assert [e["type"] for e in assert_problem(response, 422)["errors"]] == ["effective_date_too_early"]
    earlier = await catalogue.announce(("abolish", code), effective_on="2021-06-01")
    assert [e["type"] for e in assert_problem(earlier, 422)["errors"]] == ["effective_date_too_early"]


async def test_a_draft_overtaken_by_another_version_cannot_be_published(catalogue: Catalogue) -> None:
    code = await catalogue.published(effective_on="2020-01-01")
    opened = await catalogue.client.post(f"/api/v1/procedures/{code}/draft", headers=catalogue.editor)
    assert opened.status_code == 201
    # Meanwhile the national import amends the procedure: the open draft now amends an old version.
    export = (await catalogue.client.get("/api/v1/procedures/export", params={"format": "national"})).json()
    export["records"][0]["TENTTHC"] = "Tên mới từ cơ sở dữ liệu quốc gia"
    export["decision"] = {"effective_on": "2021-01-01"}
    imported = await catalogue.client.post("/api/v1/procedures/import", json=export, headers=catalogue.editor)
    assert imported.json()["summary"]["changed"] == 1, imported.text
    response = await catalogue.announce(("amend", code), effective_on="2022-01-01")
    assert [e["type"] for e in assert_problem(response, 422)["errors"]] == ["draft_out_of_date"]


async def test_decision_numbers_are_unique_and_dates_sane(catalogue: Catalogue) -> None:
    first = (await catalogue.draft()).json()["code"]
    second = (await catalogue.draft()).json()["code"]
    assert (await catalogue.announce(("create", first), number="5/QĐ")).status_code == 201
    assert_problem(await catalogue.announce(("create", second), number="5/QĐ"), 409, "duplicate_announcement_number")
    body: dict[str, Any] = {
        "number": "6/QĐ",
        "issuer": "UBND",
        "signed_on": "2024-02-01",
        "effective_on": "2024-01-01",
        "changes": [],
    }
    response = await catalogue.client.post("/api/v1/announcements", json=body, headers=catalogue.editor)
    assert error_fields(assert_problem(response, 422, "validation_error")) == {"effective_on", "changes"}


async def test_recording_a_decision_needs_catalog_editor(catalogue: Catalogue, tokens: TokenFactory) -> None:
    body = {"number": "1", "issuer": "x", "signed_on": "2024-01-01", "effective_on": "2024-01-01", "changes": []}
    response = await catalogue.client.post("/api/v1/announcements", json=body, headers=tokens.headers("leader"))
    assert_problem(response, 403, "missing_role")


async def test_decisions_are_listed_latest_first_and_readable(catalogue: Catalogue) -> None:
    code = await catalogue.published(effective_on="2020-01-01")
    await catalogue.amend(code, {"name_en": "Amended"}, effective_on="2021-01-01")
    listed = (await catalogue.client.get("/api/v1/announcements")).json()
    assert listed["total"] == 2
    assert [a["effective_on"] for a in listed["items"]] == ["2021-01-01", "2020-01-01"]
    assert [(a["created"], a["amended"]) for a in listed["items"]] == [(0, 1), (1, 0)]
    one = (await catalogue.client.get(f"/api/v1/announcements/{listed['items'][0]['id']}")).json()
    assert one["changes"][0]["action"] == "amend"
    assert one["changes"][0]["version"] == 2
    assert_problem(await catalogue.client.get("/api/v1/announcements/999999"), 404, "announcement_not_found")
