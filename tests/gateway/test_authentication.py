"""Authentication at the edge: bearer tokens, API keys, and everything else refused with a 401 problem."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from motcua_gateway.main import create_app
from motcua_gateway.routes import UpstreamName
from motcua_gateway.upstream import ASGITransport, Transport
from motcua_kit.db import Database
from motcua_kit.settings import DatabaseSettings, TrustedIssuer
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, assert_problem
from tests.dossier_api.factories import dossier_payload
from tests.gateway.conftest import gateway_app, gateway_settings
from tests.gateway.fakes import echo_app, echoed_headers

CLOSED = "/api/v1/dossiers"  # GET needs a staff or applicant role


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
async def echo_gateway(
    tokens: TokenFactory, gateway_database: RolledBackDatabase, gateway_key: ec.EllipticCurvePrivateKey
) -> AsyncIterator[httpx.AsyncClient]:
    transports: dict[UpstreamName, Transport] = {name: ASGITransport(echo_app) for name in UpstreamName}
    async with api_client(gateway_app(tokens, transports, gateway_database, gateway_key)) as client:
        yield client


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {"iss": "motcua-test", "aud": "motcua", "sub": "x", "exp": now + 600}
    claims["roles"] = ["leader"]
    claims.update(overrides)
    return claims


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer ",
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Bearer ....",
        "Bearer " + "x" * 5000,
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "bearer\tabc",
    ],
)
async def test_malformed_credentials_are_401(echo_gateway: httpx.AsyncClient, authorization: str) -> None:
    response = await echo_gateway.get(CLOSED, headers={"Authorization": authorization})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_tokens_that_must_not_pass_are_401_never_500(
    echo_gateway: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    stranger = TokenFactory()
    stranger.kid = tokens.kid  # our key id, another key: a forged signature
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}."
    hs256 = jwt.encode(_claims(), "a-guessable-secret-that-is-long-enough-32", algorithm="HS256")
    # HS256 "signed" with our public key as the secret: the classic algorithm confusion.
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': tokens.kid})}.{_b64(_claims())}"
    mac = hmac.new(json.dumps(tokens.jwks()).encode(), signing_input.encode(), hashlib.sha256).digest()
    confused = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    cases = {
        "alg none": unsigned,
        "HS256": hs256,
        "algorithm confusion": confused,
        "forged signature": stranger.token("leader"),
        "expired": tokens.token("leader", ttl_seconds=-120),
        "wrong audience": tokens.token("leader", aud="another-system"),
        "wrong issuer": tokens.token("leader", iss="https://evil.example"),
        "not yet valid": tokens.token("leader", nbf=int(time.time()) + 3600),
        "no subject": jwt.encode(
            {k: v for k, v in _claims().items() if k != "sub"},
            tokens.key,
            algorithm="ES256",
            headers={"kid": tokens.kid},
        ),
        "tampered payload": ".".join(
            [tokens.token("leader").split(".")[0], _b64(_claims(roles=["admin"])), tokens.token("leader").split(".")[2]]
        ),
    }
    for label, token in cases.items():
        response = await echo_gateway.get(CLOSED, headers={"Authorization": f"Bearer {token}"})
        body = assert_problem(response, 401, "invalid_token")
        assert body["detail"], label


async def test_expiry_within_the_clock_skew_is_accepted(echo_gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await echo_gateway.get(CLOSED, headers=tokens.headers("leader", ttl_seconds=-5))
    assert response.status_code == 200


async def test_a_bad_token_on_a_public_route_is_still_401(echo_gateway: httpx.AsyncClient) -> None:
    assert_problem(await echo_gateway.get("/api/v1/procedures", headers={"Authorization": "Bearer x.y.z"}), 401)


async def test_the_right_token_without_the_role_is_403(echo_gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = assert_problem(
        await echo_gateway.post("/api/v1/procedures", json={}, headers=tokens.headers("citizen")), 403
    )
    assert body["code"] == "missing_role"
    assert "catalog_editor" in body["detail"]
    assert (await echo_gateway.post("/api/v1/procedures", json={}, headers=tokens.headers("admin"))).status_code == 200


async def test_the_bearer_token_is_forwarded_and_forged_identity_headers_are_not(
    echo_gateway: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    token = tokens.token("leader")
    response = await echo_gateway.get(
        CLOSED,
        headers={
            "Authorization": f"Bearer {token}",
            "X-Motcua-Subject": "admin",
            "X-Motcua-Roles": "admin",
            "X-Forwarded-For": "6.6.6.6",
            "X-Real-IP": "6.6.6.6",
            "Forwarded": "for=6.6.6.6",
            "X-Forwarded-Host": "evil.example",
            "Cookie": "session=abc",
            "Host": "evil.example",
            "X-Forwarded-User": "admin",
            "Remote-User": "admin",
        },
    )
    assert response.status_code == 200
    sent = echoed_headers(response.json())
    assert sent["authorization"] == [f"Bearer {token}"]
    assert not any(name.startswith("x-motcua-") for name in sent)
    assert sent["x-forwarded-for"] == ["127.0.0.1"]
    assert sent["x-forwarded-host"] == ["dichvucong.example.vn"]
    assert sent["x-forwarded-proto"] == ["https"]
    assert "x-real-ip" not in sent
    assert "forwarded" not in sent
    assert "cookie" not in sent
    assert "x-forwarded-user" not in sent
    assert "remote-user" not in sent


async def test_a_verified_token_is_remembered_until_it_expires(
    echo_gateway: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    headers = tokens.headers("leader", ttl_seconds=1)
    assert (await echo_gateway.get(CLOSED, headers=headers)).status_code == 200
    assert (await echo_gateway.get(CLOSED, headers=headers)).status_code == 200


async def _new_client(gateway: httpx.AsyncClient, tokens: TokenFactory, name: str, *roles: str) -> dict[str, object]:
    response = await gateway.post(
        "/api/v1/api-clients",
        json={"name": name, "display_name": f"The {name}", "roles": list(roles), "agency": "SNGV"},
        headers=tokens.headers("admin"),
    )
    assert response.status_code == 201, response.text
    issued: dict[str, object] = response.json()
    return issued


async def test_an_api_key_client_reaches_a_service_that_verifies_the_gateways_token(
    gateway: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    issued = await _new_client(gateway, tokens, "city-one-stop", "integration")
    key = str(issued["api_key"])
    assert key.startswith("mck_")
    created = await gateway.post("/api/v1/dossiers", json=dossier_payload(), headers={"X-API-Key": key})
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    # The key is not a bearer token, and a system client is not an admin.
    assert_problem(await gateway.get(CLOSED, headers={"Authorization": f"Bearer {key}"}), 401)
    assert_problem(await gateway.get("/api/v1/api-clients", headers={"X-API-Key": key}), 403)


async def test_the_api_key_never_reaches_a_service(
    echo_gateway: httpx.AsyncClient, tokens: TokenFactory, gateway_key: ec.EllipticCurvePrivateKey
) -> None:
    issued = await _new_client(echo_gateway, tokens, "national-portal", "integration")
    response = await echo_gateway.post("/api/v1/dossiers", json={}, headers={"X-API-Key": str(issued["api_key"])})
    sent = echoed_headers(response.json())
    assert "x-api-key" not in sent
    (authorization,) = sent["authorization"]
    claims = jwt.decode(
        authorization.removeprefix("Bearer "), gateway_key.public_key(), algorithms=["ES256"], audience="motcua"
    )
    assert claims["iss"] == "motcua-gateway"
    assert claims["sub"] == "client:national-portal"
    assert claims["roles"] == ["integration"]
    assert claims["agency"] == "SNGV"
    assert claims["exp"] - claims["iat"] == 300
    jwks = (await echo_gateway.get("/.well-known/jwks.json")).json()
    assert [k["kid"] for k in jwks["keys"]] == [jwt.get_unverified_header(authorization.removeprefix("Bearer "))["kid"]]


async def test_keys_rotate_with_two_valid_at_most_and_can_be_revoked(
    echo_gateway: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    admin = tokens.headers("admin")
    first = str((await _new_client(echo_gateway, tokens, "city-one-stop", "integration"))["api_key"])

    async def status(key: str) -> int:
        return (await echo_gateway.get("/api/v1/surveys/responses", headers={"X-API-Key": key})).status_code

    assert await status(first) == 403  # a valid key, a role that may not read responses
    rotated = await echo_gateway.post("/api/v1/api-clients/city-one-stop/keys", json={}, headers=admin)
    assert rotated.status_code == 201
    second = rotated.json()["api_key"]
    keys = {k["key_id"]: k for k in rotated.json()["client"]["keys"]}
    assert [k["valid"] for k in keys.values()] == [True, True]
    assert keys[first.split("_")[1]]["expires_at"] is not None
    assert await status(first) == 403
    assert await status(second) == 403

    third = (await echo_gateway.post("/api/v1/api-clients/city-one-stop/keys", headers=admin)).json()["api_key"]
    assert_problem(
        await echo_gateway.get("/api/v1/surveys/responses", headers={"X-API-Key": first}), 401, "invalid_api_key"
    )
    assert await status(second) == 403  # in its grace period
    assert await status(third) == 403

    revoked = await echo_gateway.delete(f"/api/v1/api-clients/city-one-stop/keys/{second.split('_')[1]}", headers=admin)
    assert revoked.status_code == 204
    assert await status(second) == 401
    listed = (await echo_gateway.get("/api/v1/api-clients/city-one-stop", headers=admin)).json()
    assert [k["valid"] for k in listed["keys"]] == [False, False, True]
    assert "secret_hash" not in json.dumps(listed)


async def test_a_disabled_client_and_made_up_keys_are_refused(
    echo_gateway: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    key = str((await _new_client(echo_gateway, tokens, "city-one-stop", "reporter"))["api_key"])
    assert (await echo_gateway.get("/api/v1/dossiers/stats", headers={"X-API-Key": key})).status_code == 200
    changed = await echo_gateway.patch(
        "/api/v1/api-clients/city-one-stop", json={"enabled": False}, headers=tokens.headers("admin")
    )
    assert changed.json()["enabled"] is False
    assert_problem(await echo_gateway.get("/api/v1/procedures", headers={"X-API-Key": key}), 401, "invalid_api_key")
    key_id = key.split("_")[1]
    made_up_keys: list[str | bytes] = [
        key[:-1] + ("A" if key[-1] != "A" else "B"),
        f"mck_{key_id}_" + "x" * 43,
        "mck_",
        "x" * 300,
        "\u00e9".encode(),
    ]
    for made_up in made_up_keys:
        header = made_up if isinstance(made_up, bytes) else made_up.encode()
        response = await echo_gateway.get("/api/v1/procedures", headers={b"X-API-Key": header})
        assert_problem(response, 401, "invalid_api_key")


async def test_both_credentials_at_once_are_refused(echo_gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:
    key = str((await _new_client(echo_gateway, tokens, "city-one-stop", "integration"))["api_key"])
    response = await echo_gateway.get(CLOSED, headers={**tokens.headers("leader"), "X-API-Key": key})
    assert_problem(response, 401, "ambiguous_credentials")


async def test_an_api_client_cannot_be_an_admin_and_names_are_unique(
    echo_gateway: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    admin = tokens.headers("admin")
    body = {"name": "root-client", "display_name": "Root", "roles": ["admin"]}
    problem = assert_problem(await echo_gateway.post("/api/v1/api-clients", json=body, headers=admin), 422)
    assert problem["code"] == "role_not_grantable"
    await _new_client(echo_gateway, tokens, "city-one-stop", "integration")
    again = {"name": "city-one-stop", "display_name": "Again", "roles": ["integration"]}
    assert_problem(await echo_gateway.post("/api/v1/api-clients", json=again, headers=admin), 409, "api_client_exists")
    bad = {"name": "Not A Slug", "display_name": "x", "roles": ["nobody"]}
    problem = assert_problem(await echo_gateway.post("/api/v1/api-clients", json=bad, headers=admin), 422)
    assert {e["field"] for e in problem["errors"]} == {"name", "roles.0"}
    assert_problem(
        await echo_gateway.get("/api/v1/api-clients/nobody-here", headers=admin), 404, "api_client_not_found"
    )


async def test_without_a_pepper_api_keys_are_refused(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    transports: dict[UpstreamName, Transport] = {name: ASGITransport(echo_app) for name in UpstreamName}
    async with api_client(gateway_app(tokens, transports, gateway_database)) as client:
        response = await client.get("/api/v1/procedures", headers={"X-API-Key": "mck_0123456789abcdef_" + "a" * 43})
        assert_problem(response, 401, "invalid_api_key")
        body = {"name": "city-one-stop", "display_name": "x", "roles": ["integration"]}
        created = await client.post("/api/v1/api-clients", json=body, headers=tokens.headers("admin"))
        assert_problem(created, 503, "api_keys_disabled")
        assert (await client.get("/.well-known/jwks.json")).json() == {"keys": []}


def test_the_gateway_never_trusts_its_own_internal_tokens_from_clients(tokens: TokenFactory) -> None:
    own = TrustedIssuer(issuer="motcua-gateway", jwks_json=json.dumps(tokens.jwks()))
    with pytest.raises(ValidationError, match="its own internal tokens"):
        gateway_settings(tokens, auth=tokens.auth_settings().model_copy(update={"trusted_issuers": [own]}))


async def test_api_keys_are_503_not_500_when_their_database_is_down(
    tokens: TokenFactory, gateway_key: ec.EllipticCurvePrivateKey, tmp_path: Path
) -> None:
    transports: dict[UpstreamName, Transport] = {name: ASGITransport(echo_app) for name in UpstreamName}
    empty = Database.from_settings(DatabaseSettings(url=f"sqlite:///{tmp_path / 'never-migrated.db'}"))
    app = create_app(gateway_settings(tokens, gateway_key), transports=transports, database=empty)
    async with api_client(app) as client:
        response = await client.get("/api/v1/procedures", headers={"X-API-Key": "mck_0123456789abcdef_" + "a" * 43})
        assert_problem(response, 503, "api_keys_unavailable")
        assert (await client.get("/api/v1/procedures")).status_code == 200  # everything else still works
        ready = (await client.get("/readyz")).json()
        assert ready["status"] == "degraded"
        assert ready["checks"]["gateway-migrations"]["ok"] is False
