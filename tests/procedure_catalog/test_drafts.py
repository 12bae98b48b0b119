"""Entering a procedure as a draft and editing it with optimistic concurrency."""

from __future__ import annotations

import httpx
import pytest

from motcua_kit.testing import TokenFactory, assert_problem, error_fields
from tests.procedure_catalog.factories import Catalogue, procedure_payload


async def test_editor_creates_a_draft_that_the_public_cannot_see(catalogue: Catalogue) -> None:
    response = await catalogue.draft(code="1.000948", name_vi="Thẻ đi lại doanh nhân APEC")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["code"] == "1.000948"
    assert body["status"] == "draft"
    assert body["revision"] == 1
    assert body["base_version"] is None
    assert body["field"] == {"code": "NGV-DN", "name": "Ngoại vụ", "name_vi": "Ngoại vụ", "name_en": "Foreign affairs"}
    assert response.headers["etag"] == '"procedure-draft-1.000948-v1"'
    assert response.headers["location"] == "/api/v1/procedures/1.000948/draft"

    draft = await catalogue.client.get("/api/v1/procedures/1.000948/draft", headers=catalogue.editor)
    assert draft.json() == body
    assert_problem(await catalogue.client.get("/api/v1/procedures/1.000948"), 404, "procedure_not_found")
    assert (await catalogue.client.get("/api/v1/procedures")).json()["total"] == 0


async def test_duplicate_code_is_409(catalogue: Catalogue) -> None:
    assert (await catalogue.draft(code="1.000948")).status_code == 201
    assert_problem(await catalogue.draft(code="1.000948"), 409, "duplicate_procedure_code")


async def test_a_published_code_is_taken_too(catalogue: Catalogue) -> None:
    code = await catalogue.published()
    assert_problem(await catalogue.draft(code=code), 409, "duplicate_procedure_code")


@pytest.mark.parametrize("role", ["citizen", "reception_officer", "survey_admin", "integration"])
async def test_writing_needs_catalog_editor(client: httpx.AsyncClient, tokens: TokenFactory, role: str) -> None:
    response = await client.post("/api/v1/procedures", json=procedure_payload(), headers=tokens.headers(role))
    assert_problem(response, 403, "missing_role")


async def test_admin_passes(client: httpx.AsyncClient, tokens: TokenFactory, catalogue: Catalogue) -> None:
    response = await client.post("/api/v1/procedures", json=procedure_payload(), headers=tokens.headers("admin"))
    assert response.status_code == 201, response.text


async def test_anonymous_write_is_401(client: httpx.AsyncClient) -> None:
    assert_problem(await client.post("/api/v1/procedures", json=procedure_payload()), 401)


async def test_absurd_values_are_422_naming_each_field(catalogue: Catalogue) -> None:
    channel = {
        "channel": "in_person",
        "processing_time": {"value": -3, "unit": "working_days"},
        "fees": [{"amount_vnd": -1000, "description_vi": "Lệ phí"}, {"amount_vnd": 10**15, "description_vi": "x"}],
    }
    response = await catalogue.draft(
        code="bad code!",
        name_vi="  ",
        channels=[channel],
        documents=[{"name_vi": "Tờ khai", "originals": 1000}],
        legal_basis=[{"number": "1/2020", "title_vi": "Luật", "issued_on": "0001-01-01"}],
        unexpected="x",
    )
    body = assert_problem(response, 422, "validation_error")
    assert error_fields(body) == {
        "code",
        "name_vi",
        "channels.0.processing_time.value",
        "channels.0.fees.0.amount_vnd",
        "channels.0.fees.1.amount_vnd",
        "documents.0.originals",
        "legal_basis.0.issued_on",
        "unexpected",
    }


async def test_zero_processing_time_and_no_channel_are_refused(catalogue: Catalogue) -> None:
    zero = {"channel": "online", "processing_time": {"value": 0, "unit": "working_hours"}}
    assert error_fields(assert_problem(await catalogue.draft(channels=[zero]), 422)) == {
        "channels.0.processing_time.value"
    }
    assert error_fields(assert_problem(await catalogue.draft(channels=[], applicant_types=[]), 422)) == {
        "channels",
        "applicant_types",
    }


async def test_unknown_field_and_agency_are_named(catalogue: Catalogue) -> None:
    body = assert_problem(await catalogue.draft(field_code="NOPE", agency_code="NOWHERE"), 422, "invalid_procedure")
    assert {(e["field"], e["type"]) for e in body["errors"]} == {
        ("field_code", "unknown_field"),
        ("agency_code", "unknown_agency"),
    }


async def test_online_level_needs_the_online_channel(catalogue: Catalogue) -> None:
    in_person = {"channel": "in_person", "processing_time": {"value": 5, "unit": "working_days"}}
    body = assert_problem(
        await catalogue.draft(channels=[in_person], online_level="full", legacy_online_level=None),
        422,
        "online_level_without_online_channel",
    )
    assert error_fields(body) == {"online_level"}
    legacy = assert_problem(
        await catalogue.draft(channels=[in_person], online_level="none", legacy_online_level=4), 422
    )
    assert error_fields(legacy) == {"legacy_online_level"}


async def test_each_channel_is_listed_once(catalogue: Catalogue) -> None:
    twice = {"channel": "postal", "processing_time": {"value": 5, "unit": "working_days"}}
    response = await catalogue.draft(channels=[twice, twice], online_level="none", legacy_online_level=None)
    body = assert_problem(response, 422, "duplicate_channel")
    assert error_fields(body) == {"channels"}


async def test_editing_a_draft_needs_its_etag(catalogue: Catalogue) -> None:
    created = await catalogue.draft()
    code, etag = created.json()["code"], created.headers["etag"]
    url = f"/api/v1/procedures/{code}"
    patch = {
        "name_en": "Renamed",
        "channels": [{"channel": "online", "processing_time": {"value": 4, "unit": "working_hours"}}],
    }

    assert_problem(await catalogue.client.patch(url, json=patch, headers=catalogue.editor), 428, "if_match_required")
    edited = await catalogue.client.patch(url, json=patch, headers={**catalogue.editor, "If-Match": etag})
    assert edited.status_code == 200, edited.text
    assert edited.json()["name_en"] == "Renamed"
    assert edited.json()["channels"][0]["processing_time"] == {"value": 4, "unit": "working_hours"}
    assert edited.json()["revision"] == 2
    assert edited.headers["etag"] != etag

    stale = await catalogue.client.patch(url, json={"name_en": "Lost"}, headers={**catalogue.editor, "If-Match": etag})
    body = assert_problem(stale, 412, "stale_version")
    assert body["current_etag"] == edited.headers["etag"]


async def test_a_merge_patch_removes_with_null_and_is_checked_again(catalogue: Catalogue) -> None:
    created = await catalogue.draft()
    url = f"/api/v1/procedures/{created.json()['code']}"
    headers = {**catalogue.editor, "If-Match": created.headers["etag"], "content-type": "application/merge-patch+json"}
    removed = await catalogue.client.patch(url, content=b'{"description_en": null}', headers=headers)
    assert removed.status_code == 200, removed.text
    assert removed.json()["description_en"] is None
    headers["If-Match"] = removed.headers["etag"]
    broken = await catalogue.client.patch(url, json={"name_vi": None, "online_level": "maybe"}, headers=headers)
    assert error_fields(assert_problem(broken, 422, "validation_error")) == {"name_vi", "online_level"}
    renamed = await catalogue.client.patch(url, json={"code": "2.000000"}, headers=headers)
    assert_problem(renamed, 422, "code_immutable")


async def test_a_published_version_is_never_edited(catalogue: Catalogue) -> None:
    code = await catalogue.published()
    current = await catalogue.client.get(f"/api/v1/procedures/{code}")
    response = await catalogue.client.patch(
        f"/api/v1/procedures/{code}",
        json={"name_vi": "Sửa trực tiếp"},
        headers={**catalogue.editor, "If-Match": current.headers["etag"]},
    )
    assert_problem(response, 409, "published_version_immutable")
    assert (await catalogue.client.get(f"/api/v1/procedures/{code}")).json()["name_vi"] == current.json()["name_vi"]


async def test_an_amendment_draft_starts_from_the_latest_version(catalogue: Catalogue) -> None:
    code = await catalogue.published()
    opened = await catalogue.client.post(f"/api/v1/procedures/{code}/draft", headers=catalogue.editor)
    assert opened.status_code == 201, opened.text
    assert opened.json()["base_version"] == 1
    assert opened.json()["name_vi"] == (await catalogue.client.get(f"/api/v1/procedures/{code}")).json()["name_vi"]
    again = await catalogue.client.post(f"/api/v1/procedures/{code}/draft", headers=catalogue.editor)
    assert_problem(again, 409, "draft_exists")
    drafts = (await catalogue.client.get("/api/v1/procedures/drafts", headers=catalogue.editor)).json()
    assert [d["code"] for d in drafts["items"]] == [code]


async def test_discarding_a_new_draft_frees_its_code(catalogue: Catalogue) -> None:
    created = await catalogue.draft(code="7.000001")
    url = "/api/v1/procedures/7.000001/draft"
    assert_problem(await catalogue.client.delete(url, headers=catalogue.editor), 428)
    stale = {**catalogue.editor, "If-Match": '"procedure-draft-7.000001-v9"'}
    assert_problem(await catalogue.client.delete(url, headers=stale), 412)
    deleted = await catalogue.client.delete(url, headers={**catalogue.editor, "If-Match": created.headers["etag"]})
    assert deleted.status_code == 204
    assert_problem(await catalogue.client.get(url, headers=catalogue.editor), 404, "procedure_not_found")
    assert (await catalogue.draft(code="7.000001")).status_code == 201


async def test_reading_drafts_needs_catalog_editor(catalogue: Catalogue, tokens: TokenFactory) -> None:
    code = (await catalogue.draft()).json()["code"]
    assert_problem(await catalogue.client.get(f"/api/v1/procedures/{code}/draft"), 401)
    assert_problem(
        await catalogue.client.get(f"/api/v1/procedures/{code}/draft", headers=tokens.headers("citizen")), 403
    )
    assert_problem(await catalogue.client.get("/api/v1/procedures/drafts", headers=tokens.headers("citizen")), 403)


async def test_unknown_procedure_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/procedures/0.000000"), 404, "procedure_not_found")


async def test_readiness_checks_database_and_migrations(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}
