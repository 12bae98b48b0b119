"""Bearer token verification: everything but a valid, signed, current token for us is refused."""

from __future__ import annotations

import base64
import json
import time

import httpx
import jwt
import pytest
from pydantic import ValidationError

from motcua_kit.auth import KeySource, Role, TokenVerifier
from motcua_kit.errors import ServiceUnavailable, Unauthorized
from motcua_kit.settings import AuthSettings
from motcua_kit.testing import TokenFactory, assert_problem
from tests.kit.conftest import KitSettings


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_valid_token_gives_the_principal(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await kit_client.get(
        "/api/v1/items/whoami", headers=tokens.headers("reception_officer", subject="u1", agency="SNGV")
    )
    assert response.status_code == 200
    assert response.json() == {"subject": "u1", "roles": ["reception_officer"], "agency": "SNGV"}


async def test_missing_token_is_401(kit_client: httpx.AsyncClient) -> None:
    response = await kit_client.get("/api/v1/items/whoami")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "Token abc"],
)
async def test_malformed_credentials_are_401(kit_client: httpx.AsyncClient, authorization: str) -> None:
    response = await kit_client.get("/api/v1/items/whoami", headers={"Authorization": authorization})
    assert_problem(response, 401)


async def test_expired_token_is_401(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    token = tokens.token("admin", ttl_seconds=-120)
    response = await kit_client.get("/api/v1/items/whoami", headers={"Authorization": f"Bearer {token}"})
    body = assert_problem(response, 401, "invalid_token")
    assert "expired" in body["detail"]


async def test_expiry_within_leeway_is_accepted(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    token = tokens.token("admin", ttl_seconds=-5)
    response = await kit_client.get("/api/v1/items/whoami", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


async def test_wrong_audience_is_401(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    token = tokens.token("admin", aud="another-system")
    response = await kit_client.get("/api/v1/items/whoami", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401, "invalid_token")


async def test_wrong_issuer_is_401(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    token = tokens.token("admin", iss="https://evil.example")
    response = await kit_client.get("/api/v1/items/whoami", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401, "invalid_token")


async def test_alg_none_is_401(kit_client: httpx.AsyncClient) -> None:
    now = int(time.time())
    claims = {"iss": "motcua-test", "aud": "motcua", "sub": "x", "exp": now + 600, "roles": ["admin"]}
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    response = await kit_client.get("/api/v1/items/whoami", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401, "invalid_token")


async def test_hs256_is_refused_unless_enabled(kit_client: httpx.AsyncClient) -> None:
    now = int(time.time())
    claims = {"iss": "motcua-test", "aud": "motcua", "sub": "x", "exp": now + 600, "roles": ["admin"]}
    token = jwt.encode(claims, "a-guessable-secret-that-is-long-enough-32", algorithm="HS256")
    response = await kit_client.get("/api/v1/items/whoami", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401, "invalid_token")


async def test_token_signed_by_another_key_is_401(kit_client: httpx.AsyncClient) -> None:
    stranger = TokenFactory()
    stranger.kid = "shared-name"
    response = await kit_client.get("/api/v1/items/whoami", headers=stranger.headers("admin"))
    assert_problem(response, 401, "invalid_token")


async def test_forged_signature_with_our_kid_is_401(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    stranger = TokenFactory()
    stranger.kid = tokens.kid
    response = await kit_client.get("/api/v1/items/whoami", headers=stranger.headers("admin"))
    assert_problem(response, 401, "invalid_token")


async def test_wrong_role_is_403(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await kit_client.post(
        "/api/v1/items", json={"name": "x", "quantity": 1}, headers=tokens.headers("citizen")
    )
    body = assert_problem(response, 403, "missing_role")
    assert "catalog_editor" in body["detail"]


async def test_admin_passes_every_role_check(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await kit_client.post(
        "/api/v1/items", json={"name": "y", "quantity": 1}, headers=tokens.headers("admin")
    )
    assert response.status_code == 201


async def test_unknown_roles_are_ignored(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await kit_client.post(
        "/api/v1/items", json={"name": "z", "quantity": 1}, headers=tokens.headers("superuser", "root")
    )
    assert_problem(response, 403)


async def test_keycloak_realm_roles_are_read() -> None:
    tokens = TokenFactory()
    verifier = TokenVerifier.from_settings(tokens.auth_settings())
    token = tokens.token(realm_access={"roles": ["leader"]})
    principal = await verifier.verify(token)
    assert {r.value for r in principal.roles} == {"leader"}


@pytest.mark.parametrize("roles", [5, {"admin": True}, None, "leader admin"])
async def test_odd_roles_claims_never_fail(roles: object) -> None:
    tokens = TokenFactory()
    verifier = TokenVerifier.from_settings(tokens.auth_settings())
    claims = {"iss": tokens.issuer, "aud": tokens.audience, "sub": "x", "exp": int(time.time()) + 60, "roles": roles}
    token = jwt.encode(claims, tokens.key, algorithm="ES256", headers={"kid": tokens.kid})
    principal = await verifier.verify(token)
    assert principal.roles <= {Role.LEADER, Role.ADMIN}


async def test_hs256_works_only_when_enabled() -> None:
    secret = "s" * 40
    settings = AuthSettings(issuer="i", audience="a", allow_hs256=True, hs256_secret=secret)
    verifier = TokenVerifier.from_settings(settings)
    token = jwt.encode({"iss": "i", "aud": "a", "sub": "x", "exp": int(time.time()) + 60}, secret, algorithm="HS256")
    assert (await verifier.verify(token)).subject == "x"


def test_hs256_cannot_be_enabled_in_production() -> None:
    with pytest.raises(ValidationError, match="production"):
        KitSettings(
            _env_file=None,
            environment="production",
            auth=AuthSettings(allow_hs256=True, hs256_secret="s" * 40),
        )


async def test_jwks_url_is_fetched_cached_and_refreshed_on_unknown_kid() -> None:
    first, second = TokenFactory(issuer="i", audience="a"), TokenFactory(issuer="i", audience="a")
    served = {"document": first.jwks()}
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, json=served["document"])

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    keys = KeySource(jwks_url="https://idp.example/jwks", http_client=client)
    keys._REFETCH_INTERVAL = 0.0
    verifier = TokenVerifier(AuthSettings(issuer="i", audience="a"), keys)

    assert (await verifier.verify(first.token("admin"))).subject == "tester"
    assert (await verifier.verify(first.token("admin"))).subject == "tester"
    assert len(calls) == 1  # cached

    served["document"] = {"keys": first.jwks()["keys"] + second.jwks()["keys"]}  # the provider rotates
    assert (await verifier.verify(second.token("leader"))).subject == "tester"
    assert len(calls) == 2
    await client.aclose()


async def test_unreachable_jwks_is_503_not_500() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down")

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    verifier = TokenVerifier(AuthSettings(), KeySource(jwks_url="https://idp.example/jwks", http_client=client))
    tokens = TokenFactory(issuer="motcua-dev")
    with pytest.raises(ServiceUnavailable):
        await verifier.verify(tokens.token("admin"))
    await client.aclose()


async def test_service_without_keys_refuses_every_token() -> None:
    verifier = TokenVerifier.from_settings(AuthSettings())
    with pytest.raises(Unauthorized):
        await verifier.verify(TokenFactory(issuer="motcua-dev").token("admin"))


async def test_a_trusted_issuer_is_verified_with_its_own_keys() -> None:
    idp, gateway = TokenFactory(issuer="idp"), TokenFactory(issuer="motcua-gateway")
    verifier = TokenVerifier.from_settings(idp.auth_settings(trusting=[gateway]))
    assert verifier.issuers == {"idp", "motcua-gateway"}
    assert (await verifier.verify(idp.token("leader"))).roles == {Role.LEADER}
    principal = await verifier.verify(gateway.token("integration", subject="client:portal", client_id="portal"))
    assert principal.roles == {Role.INTEGRATION}
    assert principal.client_id == "portal"


async def test_an_issuer_cannot_sign_for_another() -> None:
    idp, gateway = TokenFactory(issuer="idp"), TokenFactory(issuer="motcua-gateway")
    verifier = TokenVerifier.from_settings(idp.auth_settings(trusting=[gateway]))
    gateway.kid = idp.kid  # the same key id does not make the gateway's key the provider's
    with pytest.raises(Unauthorized, match=r"unknown key|invalid"):
        await verifier.verify(gateway.token("admin", iss="idp"))
    with pytest.raises(Unauthorized):
        await verifier.verify(idp.token("admin", iss="motcua-gateway"))


async def test_an_untrusted_issuer_is_refused_before_any_key_lookup() -> None:
    idp = TokenFactory(issuer="idp")
    verifier = TokenVerifier.from_settings(idp.auth_settings())
    with pytest.raises(Unauthorized, match="issuer"):
        await verifier.verify(TokenFactory(issuer="elsewhere").token("admin"))
    claims = {"iss": ["idp"], "aud": "motcua", "sub": "x", "exp": int(time.time()) + 60}
    odd = jwt.api_jws.encode(json.dumps(claims).encode(), idp.key, algorithm="ES256", headers={"kid": idp.kid})
    with pytest.raises(Unauthorized, match="issuer"):
        await verifier.verify(odd)


async def test_a_trusted_issuer_checks_its_audience() -> None:
    idp, gateway = TokenFactory(issuer="idp"), TokenFactory(issuer="motcua-gateway", audience="motcua-internal")
    trusted = gateway.trusted_issuer()
    verifier = TokenVerifier.from_settings(
        AuthSettings(issuer="idp", audience="motcua", jwks_json=json.dumps(idp.jwks()), trusted_issuers=[trusted])
    )
    assert (await verifier.verify(gateway.token("integration"))).subject == "tester"
    with pytest.raises(Unauthorized, match="not meant"):
        await verifier.verify(gateway.token("integration", aud="motcua"))


def test_trusted_issuers_are_validated() -> None:
    jwks = json.dumps(TokenFactory().jwks())
    with pytest.raises(ValidationError, match="HS256"):
        AuthSettings(trusted_issuers=[{"issuer": "g", "jwks_json": jwks, "algorithms": ["HS256"]}])
    with pytest.raises(ValidationError, match="exactly one"):
        AuthSettings(trusted_issuers=[{"issuer": "g"}])
    with pytest.raises(ValidationError, match="its own"):
        AuthSettings(issuer="g", trusted_issuers=[{"issuer": "g", "jwks_json": jwks}])


def test_trusted_issuers_come_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "KITTEST_AUTH__TRUSTED_ISSUERS", '[{"issuer": "motcua-gateway", "jwks_url": "http://gw/.well-known/jwks.json"}]'
    )
    settings = KitSettings(_env_file=None)
    assert [t.issuer for t in settings.auth.trusted_issuers] == ["motcua-gateway"]
    assert settings.auth.trusted_issuers[0].jwks_url == "http://gw/.well-known/jwks.json"
