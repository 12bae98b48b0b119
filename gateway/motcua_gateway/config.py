"""Gateway settings (environment prefix ``GATEWAY_``)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from motcua_kit.settings import DatabaseSettings, ServiceSettings

RATE_LIMIT_PATTERN = r"^\s*\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day|month|year)s?\s*([;,]\s*\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day|month|year)s?\s*)*$"  # noqa: E501


class UpstreamSettings(BaseModel):
    """Where one service listens, how long the gateway waits for it, and when it stops trying."""

    url: Annotated[str, Field(description="Base URL of the service.")]
    connect_timeout_seconds: Annotated[float, Field(gt=0, description="Time to open a connection.")] = 2.0
    read_timeout_seconds: Annotated[float, Field(gt=0, description="Time to wait for the answer.")] = 30.0
    max_connections: Annotated[int, Field(ge=1, description="Connections kept to this service.")] = 100
    retries: Annotated[
        int,
        Field(
            ge=0,
            le=5,
            description="Retries of an idempotent request (GET, HEAD, OPTIONS, PUT, DELETE) the service never saw.",
        ),
    ] = 2
    breaker_failures: Annotated[
        int, Field(ge=1, description="Consecutive failures (unreachable, timeout) that open the circuit.")
    ] = 5
    breaker_reset_seconds: Annotated[
        float, Field(gt=0, description="How long an open circuit answers 503 before one trial request.")
    ] = 10.0


class RateLimitSettings(BaseModel):
    """Request budgets, written as `limits` strings ("10/minute", "60 per hour;5/second")."""

    enabled: Annotated[bool, Field(description="Apply rate limits.")] = True
    storage_url: Annotated[
        str | None,
        Field(
            description=(
                "Shared counters for several gateway replicas: `redis://host:6379/0`. Unset: in this process's memory."
            )
        ),
    ] = None
    anonymous: Annotated[
        str, Field(pattern=RATE_LIMIT_PATTERN, description="Per client IP, for calls without credentials.")
    ] = "300/minute"
    client: Annotated[
        str, Field(pattern=RATE_LIMIT_PATTERN, description="Per authenticated client (token subject or API client).")
    ] = "1200/minute"
    lookup: Annotated[
        str,
        Field(
            pattern=RATE_LIMIT_PATTERN,
            description="Public lookups by code or token (tracking, survey invitations), per IP and per client.",
        ),
    ] = "10/minute;100/day"
    key_prefix: Annotated[str, Field(description="Prefix of the counters' keys in the shared store.")] = "motcua-gw"


class ApiKeySettings(BaseModel):
    """API keys of system clients (the city one-stop system, the national portal)."""

    pepper: Annotated[
        SecretStr | None,
        Field(
            description=(
                "Server secret of the keys' HMAC-SHA256 hashes (at least 32 characters). Unset: API keys are refused."
            )
        ),
    ] = None
    cache_seconds: Annotated[
        float, Field(ge=0, le=300, description="How long a verified key is trusted before it is read again.")
    ] = 10.0
    rotation_grace_hours: Annotated[
        float, Field(ge=0, le=24 * 90, description="How long the previous key keeps working after a rotation.")
    ] = 24.0 * 7

    @field_validator("pepper")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("the API key pepper needs at least 32 characters")
        return value


class InternalTokenSettings(BaseModel):
    """The short-lived tokens the gateway signs for API-key clients; the services trust their issuer."""

    issuer: Annotated[str, Field(description="`iss` of the internal tokens (services list it in trusted issuers).")] = (
        "motcua-gateway"
    )
    audience: Annotated[str, Field(description="`aud` of the internal tokens.")] = "motcua"
    ttl_seconds: Annotated[int, Field(ge=30, le=3600, description="Lifetime of one internal token.")] = 300
    signing_key_file: Annotated[
        Path | None, Field(description="PEM file of the gateway's EC P-256 private key (ES256).")
    ] = None
    signing_key_pem: Annotated[SecretStr | None, Field(description="The same key inline, as PEM.")] = None


class ReportSettings(BaseModel):
    """The reports the gateway composes from the services' statistics (``/api/v1/reports``)."""

    upstream_timeout_seconds: Annotated[
        float, Field(gt=0, le=300, description="How long the overview waits for each service's statistics.")
    ] = 20.0
    public_cache_seconds: Annotated[
        float,
        Field(ge=0, le=86_400, description="How long a public summary is reused before the services are asked again."),
    ] = 300.0
    client_name: Annotated[
        str,
        Field(
            pattern=r"^[a-z0-9-]{3,64}$",
            description="Subject (`client:<name>`) of the internal token the gateway signs to read the statistics.",
        ),
    ] = "gateway-reports"


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_")
    service_name: ClassVar[str] = "gateway"

    port: int = 8000
    max_body_bytes: int = 64 * 1024 * 1024
    database: DatabaseSettings = DatabaseSettings(url="sqlite:///./var/gateway.db")
    catalog: UpstreamSettings = UpstreamSettings(url="http://127.0.0.1:8001")
    dossier: UpstreamSettings = UpstreamSettings(url="http://127.0.0.1:8002")
    survey: UpstreamSettings = UpstreamSettings(url="http://127.0.0.1:8003")
    openapi_cache_seconds: Annotated[
        int, Field(ge=0, description="How long the merged OpenAPI document is reused.")
    ] = 60
    rate_limits: RateLimitSettings = RateLimitSettings()
    api_keys: ApiKeySettings = ApiKeySettings()
    internal_tokens: InternalTokenSettings = InternalTokenSettings()
    reports: ReportSettings = ReportSettings()
    cors_allow_origins: Annotated[
        list[str],
        Field(
            description='Origins of the web apps allowed to call the API from a browser, as JSON: `["https://..."]`.'
        ),
    ] = []  # noqa: RUF012 - pydantic copies field defaults
    trusted_proxies: Annotated[
        list[str],
        Field(
            description=(
                "Addresses or networks of load balancers in front of the gateway whose X-Forwarded-For is believed,"
                ' as JSON: `["10.0.0.0/8"]`.'
            )
        ),
    ] = []  # noqa: RUF012 - pydantic copies field defaults
    token_cache_size: Annotated[
        int, Field(ge=0, description="Verified bearer tokens remembered (for at most a minute); 0 disables it.")
    ] = 10_000

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)
        return value

    @field_validator("cors_allow_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin == "*" or not origin.startswith(("http://", "https://")) or origin.endswith("/"):
                raise ValueError(f"CORS origins are listed one by one as scheme://host[:port], not {origin!r}")
        return value

    @model_validator(mode="after")
    def _own_tokens_are_not_accepted_from_outside(self) -> GatewaySettings:
        issuers = {self.auth.issuer, *(t.issuer for t in self.auth.trusted_issuers)}
        if self.internal_tokens.issuer in issuers:
            raise ValueError("the gateway must not accept its own internal tokens from clients (auth issuers)")
        return self

    @model_validator(mode="after")
    def _api_keys_need_a_signing_key(self) -> GatewaySettings:
        keyed = self.internal_tokens.signing_key_file is not None or self.internal_tokens.signing_key_pem is not None
        if self.api_keys.pepper is not None and not keyed:
            raise ValueError("API keys need the gateway's signing key (internal_tokens.signing_key_file or _pem)")
        return self
