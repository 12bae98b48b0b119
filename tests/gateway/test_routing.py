"""The gateway forwards each route-table prefix to its service, and nothing else."""

from __future__ import annotations

import httpx

from motcua_gateway.routes import ROUTE_TABLE, RouteTable, UpstreamName
from motcua_kit.testing import RolledBackDatabase, TokenFactory, assert_problem
from procedure_catalog.demo import seed_demo as seed_catalog
from satisfaction_survey.demo import seed_demo as seed_survey
from tests.dossier_api.factories import dossier_payload
from tests.procedure_catalog.factories import procedure_payload


def test_route_table_matches_whole_segments() -> None:
    table = RouteTable()

    def upstream(path: str) -> UpstreamName | None:
        entry = table.match(path)
        return entry.upstream if entry else None

    assert upstream("/api/v1/procedures") is UpstreamName.CATALOG
    assert upstream("/api/v1/procedures/1.000948/versions") is UpstreamName.CATALOG
    assert upstream("/api/v1/proceduresX") is None
    assert upstream("/api/v1/tracking/SNGV-260101-0001") is UpstreamName.DOSSIER
    assert upstream("/api/v1/calendars/SNGV/due-date") is UpstreamName.DOSSIER
    assert upstream("/api/v1/surveys/questionnaires/current") is UpstreamName.SURVEY
    assert upstream("/docs") is None
    assert {e.upstream for e in ROUTE_TABLE} == set(UpstreamName)


async def test_catalogue_through_the_gateway(
    gateway: httpx.AsyncClient, catalog_database: RolledBackDatabase, tokens: TokenFactory
) -> None:
    await seed_catalog(catalog_database)
    listed = await gateway.get("/api/v1/procedures", params={"size": 100})
    assert listed.status_code == 200
    assert listed.json()["total"] == 13
    editor = tokens.headers("catalog_editor")
    created = await gateway.post("/api/v1/procedures", json=procedure_payload(code="9.999999"), headers=editor)
    assert created.status_code == 201
    assert created.headers["location"] == "/api/v1/procedures/9.999999/draft"
    assert (await gateway.get("/api/v1/procedures/9.999999/draft", headers=editor)).json()["code"] == "9.999999"
    assert (await gateway.get("/api/v1/authority-levels")).status_code == 200


async def test_dossiers_through_the_gateway(gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    headers = tokens.headers("reception_officer")
    created = await gateway.post("/api/v1/dossiers", json=dossier_payload(), headers=headers)
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    assert (await gateway.get(f"/api/v1/dossiers/{code}", headers=headers)).json()["code"] == code


async def test_survey_through_the_gateway(gateway: httpx.AsyncClient, survey_database: RolledBackDatabase) -> None:
    await seed_survey(survey_database)
    response = await gateway.get("/api/v1/surveys/questionnaires/current")
    assert response.status_code == 200
    assert response.json()["version"] == 1


async def test_service_errors_pass_through_as_problems(gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    assert_problem(await gateway.post("/api/v1/procedures", json=procedure_payload()), 401)
    assert_problem(await gateway.get("/api/v1/procedures/0.000000"), 404, "procedure_not_found")
    body = assert_problem(
        await gateway.post("/api/v1/dossiers", json={"channel": "x"}, headers=tokens.headers("reception_officer")),
        422,
    )
    assert {e["field"] for e in body["errors"]} == {"procedure_code", "channel", "applicant"}


async def test_unknown_routes_are_404_problems(gateway: httpx.AsyncClient) -> None:
    assert_problem(await gateway.get("/api/v1/nothing-here"), 404)
    assert_problem(await gateway.get("/admin"), 404)


async def test_combined_openapi_lists_every_service(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/openapi.json")).json()
    paths = document["paths"]
    assert "/api/v1/procedures" in paths
    assert "/api/v1/dossiers" in paths
    assert "/api/v1/surveys/questionnaires/current" in paths
    assert "x-missing-upstreams" not in document
    schemas = document["components"]["schemas"]
    assert "Problem" in schemas
    assert "bearerAuth" in document["components"]["securitySchemes"]
    # every reference resolves inside the merged document
    text = str(document)
    for name in {part.split("'")[0] for part in text.split("#/components/schemas/")[1:]}:
        assert name in schemas, name


async def test_docs_page_is_served(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text


async def test_readyz_reports_each_upstream(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {
            "procedure-catalog": "ok",
            "dossier-api": "ok",
            "satisfaction-survey": "ok",
            "gateway-database": "ok",
            "gateway-migrations": "ok",
        },
    }


async def test_calendars_and_tracking_through_the_gateway(gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    calendar = await gateway.get("/api/v1/calendars/SNGV")
    assert (calendar.status_code, calendar.json()["version"]) == (200, 0)
    created = await gateway.post(
        "/api/v1/dossiers", json=dossier_payload(), headers=tokens.headers("reception_officer")
    )
    body = created.json()
    lookup = await gateway.get(f"/api/v1/tracking/{body['code']}", params={"secret": body["tracking_secret"]})
    assert lookup.json()["status"] == "received"
