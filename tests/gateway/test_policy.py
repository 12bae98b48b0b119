"""The authorisation policy: the whole table walked for every role, and kept in step with the services."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from motcua_gateway.policy import POLICY, Limit, Policy, Rule, allow, normalise_template, public
from motcua_gateway.routes import OWN_PREFIXES, RouteTable, UpstreamName
from motcua_gateway.upstream import ASGITransport, Transport
from motcua_kit.auth import Role, current_principal, optional_principal
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, assert_problem
from tests.gateway.conftest import gateway_app
from tests.gateway.fakes import echo_app

SAMPLE_PARAMS = {
    "image_format": "svg",
    "key_id": "0123456789abcdef",
    "name": "city-one-stop",
    "period": "2025-Q1",
    "revision": "1",
}
OWN_PATHS = {"/livez", "/readyz", "/metrics", "/openapi.json", "/docs", "/.well-known/jwks.json"}
CALLERS: list[Role | None] = [None, *Role]


def concrete(path: str) -> str:
    """A request path for a template: each `{name}` filled with a plausible value."""
    return re.sub(r"\{([^{}/]+)\}", lambda m: SAMPLE_PARAMS.get(m.group(1), "X-1"), path)


@pytest.fixture
async def echo_gateway(tokens: TokenFactory, gateway_database: RolledBackDatabase) -> AsyncIterator[httpx.AsyncClient]:
    transports: dict[UpstreamName, Transport] = {name: ASGITransport(echo_app) for name in UpstreamName}
    async with api_client(gateway_app(tokens, transports, gateway_database)) as client:
        yield client


def expected_outcome(rule: Rule, role: Role | None) -> str:
    if rule.roles is None:
        return "passes"
    if role is None:
        return "401"
    return "passes" if rule.admits(frozenset({role})) else "403"


async def test_the_whole_table_for_every_role(echo_gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    routes = RouteTable()
    mismatches: list[str] = []
    for rule in POLICY:
        path = concrete(rule.path)
        forwarded = routes.match(rule.path) is not None
        for role in CALLERS:
            headers = tokens.headers(role.value) if role else {}
            body: dict[str, Any] | None = {} if rule.method in {"POST", "PUT", "PATCH"} else None
            response = await echo_gateway.request(rule.method, path, json=body, headers=headers)
            expected = expected_outcome(rule, role)
            if expected == "passes":
                # The route ran (its own 404 for an unknown client has its own code, not the edge's).
                edge_404 = response.status_code == 404 and response.json().get("code") == "not_found"
                reached = response.status_code not in {401, 403, 405} and not edge_404
                if forwarded:  # the echo upstream answers 200 with the path it was sent
                    reached = response.status_code == 200 and response.json()["path"] == path
                outcome = "passes" if reached else str(response.status_code)
            else:
                outcome = str(response.status_code)
                assert_problem(response, int(expected))
            if outcome != expected:
                mismatches.append(f"{rule.method} {path} as {role}: expected {expected}, got {outcome}")
    assert not mismatches, "\n".join(mismatches)


async def test_a_path_outside_the_table_is_404_even_under_a_service_prefix(echo_gateway: httpx.AsyncClient) -> None:
    for path in ["/api/v1/procedures/1.000948/secret-admin", "/api/v1/dossiers/X/unknown-action", "/api/v1/nothing"]:
        assert_problem(await echo_gateway.get(path), 404, "not_found")
    assert_problem(await echo_gateway.get("/admin"), 404)


async def test_a_method_outside_the_table_is_405_with_allow(echo_gateway: httpx.AsyncClient) -> None:
    response = await echo_gateway.delete("/api/v1/procedures/1.000948")
    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET, PATCH"


async def test_head_follows_get(echo_gateway: httpx.AsyncClient) -> None:
    assert (await echo_gateway.head("/api/v1/procedures")).status_code == 200


def test_a_literal_segment_wins_over_a_parameter() -> None:
    policy = Policy()
    stats = policy.match("GET", "/api/v1/procedures/stats")
    assert stats is not None
    assert stats.rule is not None
    assert stats.rule.path == "/api/v1/procedures/stats"
    one = policy.match("GET", "/api/v1/procedures/1.000948")
    assert one is not None
    assert one.rule is not None
    assert one.rule.path == "/api/v1/procedures/{code}"
    qr = policy.match("GET", "/api/v1/surveys/invitations/tok/qr.png")
    assert qr is not None
    assert qr.rule is not None
    assert qr.rule.limit is Limit.LOOKUP
    assert policy.match("GET", "/api/v1//procedures") is None


def test_a_route_cannot_have_two_rows() -> None:
    with pytest.raises(ValueError, match="two policy rows"):
        Policy([public("GET", "/a/{x}"), allow("GET", "/a/{y}", Role.LEADER)])


def test_every_service_route_of_the_table_has_an_upstream() -> None:
    routes = RouteTable()
    for rule in POLICY:
        if rule.path in OWN_PATHS or rule.path.startswith(OWN_PREFIXES):
            assert routes.match(rule.path) is None, rule
        else:
            assert routes.match(rule.path) is not None, f"{rule.path} has no service in the route table"


def test_public_lookups_by_code_or_token_have_the_strict_budget() -> None:
    lookups = {(r.method, r.path) for r in POLICY if r.limit is Limit.LOOKUP}
    assert ("GET", "/api/v1/tracking/{code}") in lookups
    assert ("GET", "/api/v1/surveys/invitations/{token}") in lookups
    assert all(r.public for r in POLICY if r.limit is Limit.LOOKUP)


def _auth_of(dependant: Dependant) -> tuple[str, frozenset[Role]]:
    """How a service route authenticates: 'roles' (with them), 'login', 'optional' or 'public'."""
    kind, roles = "public", frozenset[Role]()
    stack = list(dependant.dependencies)
    while stack:
        dependency = stack.pop()
        needed = getattr(dependency.call, "__motcua_roles__", None)
        if needed is not None:
            return "roles", frozenset(needed)
        if dependency.call is current_principal:
            kind = "login"
        elif dependency.call is optional_principal and kind == "public":
            kind = "optional"
        stack.extend(dependency.dependencies)
    return kind, roles


def _service_operations(apps: dict[UpstreamName, FastAPI]) -> list[tuple[UpstreamName, str, str, Dependant]]:
    """Every documented operation of each app: its method, full path template and dependencies.

    FastAPI includes routers lazily: ``iter_route_contexts`` gives each route with its full path.
    """
    operations: list[tuple[UpstreamName, str, str, Dependant]] = []
    for name, app in apps.items():
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if not isinstance(route, APIRoute) or not context.include_in_schema:
                continue
            path = context.path or route.path
            dependant = getattr(context, "dependant", None) or route.dependant
            methods = sorted(set(context.methods or route.methods or ()) - {"HEAD"})
            operations.extend((name, method, path, dependant) for method in methods)
    return operations


def test_every_service_operation_has_a_policy_row_that_agrees_with_it(
    catalog_app: FastAPI, dossier_app: FastAPI, survey_app: FastAPI
) -> None:
    """Fails when a service exposes an operation the table does not list, or lists it differently.

    Compared: the route itself (method and path template), the service it belongs to, and the roles:
    a route the service keeps public must be public here; a route needing roles needs the same ones.
    """
    apps = {UpstreamName.CATALOG: catalog_app, UpstreamName.DOSSIER: dossier_app, UpstreamName.SURVEY: survey_app}
    rules = {(r.method, normalise_template(r.path)): r for r in POLICY}
    routes = RouteTable()
    problems: list[str] = []
    operations = _service_operations(apps)
    found = {(method, path) for _, method, path, _ in operations}
    assert {("POST", "/api/v1/dossiers"), ("GET", "/api/v1/procedures/{code}")} <= found, found  # not vacuous
    for upstream, method, path, dependant in operations:
        rule = rules.get((method, normalise_template(path)))
        if rule is None:
            problems.append(f"{upstream}: {method} {path} has no row in gateway/motcua_gateway/policy.py")
            continue
        entry = routes.match(path)
        if entry is None or entry.upstream is not upstream:
            problems.append(f"{upstream}: {method} {path} is routed to {entry.upstream if entry else 'nothing'}")
        kind, roles = _auth_of(dependant)
        gateway_roles = None if rule.roles is None else rule.roles - {Role.ADMIN}
        if kind == "public" and gateway_roles is not None:
            problems.append(f"{method} {path}: public in the service, needs {sorted(gateway_roles)} at the gateway")
        if kind == "login" and gateway_roles is None:
            problems.append(f"{method} {path}: needs a login in the service, public at the gateway")
        if kind == "roles" and gateway_roles != roles:
            shown = "public" if gateway_roles is None else sorted(gateway_roles)
            problems.append(f"{method} {path}: service roles {sorted(roles)}, gateway {shown}")
    assert not problems, "\n".join(problems)


async def test_the_combined_openapi_states_the_policy(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/openapi.json")).json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["apiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": schemes["apiKeyAuth"]["description"],
    }
    listing = document["paths"]["/api/v1/procedures"]
    assert listing["get"]["security"] == []
    assert listing["post"]["x-motcua-roles"] == ["admin", "catalog_editor"]
    assert {"bearerAuth": []} in listing["post"]["security"]
    assert "429" in listing["get"]["responses"]
    assert document["paths"]["/api/v1/api-clients"]["post"]["x-motcua-roles"] == ["admin"]
