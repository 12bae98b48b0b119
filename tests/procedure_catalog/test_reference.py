"""Reference lists: fields, agencies, authority levels."""

from __future__ import annotations

import httpx

from motcua_kit.testing import TokenFactory, assert_problem, error_fields
from tests.procedure_catalog.factories import Catalogue


async def test_fields_and_agencies_are_listed_in_the_asked_language(catalogue: Catalogue) -> None:
    fields = await catalogue.client.get("/api/v1/fields", headers={"Accept-Language": "en-GB,en;q=0.9,vi;q=0.5"})
    assert [(f["code"], f["name"]) for f in fields.json()] == [("NGV-DN", "Foreign affairs")]
    assert fields.headers["content-language"] == "en"
    agencies = (await catalogue.client.get("/api/v1/agencies")).json()
    assert [(a["code"], a["name"], a["authority_level"]) for a in agencies] == [
        ("SNGV", "Sở Ngoại vụ thành phố Đà Nẵng", "province")
    ]
    one = (await catalogue.client.get("/api/v1/fields/NGV-DN")).json()
    assert one["name_en"] == "Foreign affairs"
    assert_problem(await catalogue.client.get("/api/v1/fields/NOPE"), 404, "field_not_found")
    assert_problem(await catalogue.client.get("/api/v1/agencies/NOPE"), 404, "agency_not_found")


async def test_authority_levels_have_national_codes(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/authority-levels", headers={"Accept-Language": "en"})
    assert [(level["code"], level["national_code"], level["name"]) for level in response.json()] == [
        ("central", "1", "Ministry (central)"),
        ("province", "2", "Province"),
        ("district", "3", "District"),
        ("commune", "4", "Commune"),
    ]


async def test_renaming_a_field_keeps_published_names(catalogue: Catalogue) -> None:
    code = await catalogue.published()
    renamed = await catalogue.client.put(
        "/api/v1/fields/NGV-DN", json={"name_vi": "Đối ngoại"}, headers=catalogue.editor
    )
    assert renamed.status_code == 200
    assert renamed.json()["name_en"] is None
    assert (await catalogue.client.get(f"/api/v1/procedures/{code}")).json()["field"]["name_vi"] == "Ngoại vụ"


async def test_writing_reference_lists_needs_catalog_editor(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = {"name_vi": "Lãnh sự"}
    assert_problem(await client.put("/api/v1/fields/NGV-LS", json=body), 401)
    assert_problem(await client.put("/api/v1/fields/NGV-LS", json=body, headers=tokens.headers("citizen")), 403)
    bad = await client.put(
        "/api/v1/agencies/bad code", json={"name_vi": "", "authority_level": "galaxy"}, headers=tokens.headers("admin")
    )
    assert error_fields(assert_problem(bad, 422)) == {"code", "name_vi", "authority_level"}


async def test_nul_characters_are_422_naming_the_field(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    """PostgreSQL refuses NUL in text (a probe beside the fuzzing found it), so these were 500s there."""
    admin = tokens.headers("admin")
    put = await client.put("/api/v1/fields/NGV-LS", json={"name_vi": "Lãnh\x00sự"}, headers=admin)
    assert error_fields(assert_problem(put, 422)) == {"name_vi"}
    search = await client.get("/api/v1/procedures", params={"q": "thẻ\x00"})
    assert error_fields(assert_problem(search, 422)) == {"q"}
