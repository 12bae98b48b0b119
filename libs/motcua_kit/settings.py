"""Settings shared by every motcua process.

Each service subclasses :class:`ServiceSettings` and gives it its own environment prefix
(``CATALOG_``, ``DOSSIER_``, ``SURVEY_``, ``GATEWAY_``). Nested groups use a double underscore:
``CATALOG_DATABASE__URL``, ``DOSSIER_AUTH__JWKS_URL``. Secrets come only from the environment
(or a ``.env`` file in development); nothing secret has a usable default.

Settings are never built at import time: ``create_app(settings=None)`` builds them when the
application is created, so tests can pass their own.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class JwtAlgorithm(StrEnum):
    RS256 = "RS256"
    ES256 = "ES256"
    HS256 = "HS256"


class DatabaseSettings(BaseModel):
    """Where a service keeps its data. One database per service."""

    url: Annotated[
        str,
        Field(
            description=(
                "SQLAlchemy URL. `sqlite:///path` (aiosqlite) or `postgresql://user@host/db` (asyncpg);"
                " the async driver is added when missing."
            )
        ),
    ] = "sqlite:///./var/service.db"
    pool_size: Annotated[int, Field(ge=1, le=200, description="Connections kept open (PostgreSQL).")] = 10
    max_overflow: Annotated[int, Field(ge=0, le=200, description="Extra connections under load (PostgreSQL).")] = 10
    pool_timeout_seconds: Annotated[
        float, Field(gt=0, description="How long a request waits for a free connection before 503.")
    ] = 10.0
    statement_timeout_ms: Annotated[
        int, Field(ge=0, description="PostgreSQL statement_timeout per connection; 0 disables it.")
    ] = 30_000
    connect_timeout_seconds: Annotated[
        float, Field(gt=0, le=60, description="How long opening a PostgreSQL connection may take before 503.")
    ] = 5.0
    command_timeout_seconds: Annotated[
        float,
        Field(
            gt=0,
            description=(
                "Client-side bound on one PostgreSQL command, for a server or network that stops answering"
                " (503 beyond); keep it above STATEMENT_TIMEOUT_MS, which the server enforces."
            ),
        ),
    ] = 35.0
    sqlite_busy_timeout_ms: Annotated[
        int,
        Field(
            ge=0,
            description=(
                "How long a SQLite write waits for its turn among the process's writers, and then for the file's"
                " writer lock, before 503 database_busy."
            ),
        ),
    ] = 10_000
    sqlite_synchronous: Annotated[
        str,
        Field(
            pattern="^(FULL|NORMAL)$",
            description="SQLite `PRAGMA synchronous`; FULL keeps an acknowledged commit through power loss.",
        ),
    ] = "FULL"
    sqlite_mmap_mb: Annotated[
        int,
        Field(
            ge=0,
            le=65536,
            description=(
                "SQLite `PRAGMA mmap_size` in MiB; 0 turns memory-mapped reads off. Reads then come from the"
                " operating system's page cache, shared by every connection, instead of a small copy per connection."
            ),
        ),
    ] = 256
    echo: Annotated[bool, Field(description="Log every SQL statement (development only).")] = False


class TrustedIssuer(BaseModel):
    """One more issuer whose tokens are accepted besides the identity provider, with its own keys.

    The gateway is one: it signs short-lived tokens for the system clients it authenticates with an
    API key, so the services can keep verifying every call themselves.
    """

    issuer: Annotated[str, Field(min_length=1, description="Its `iss` claim.")]
    audience: Annotated[str | None, Field(description="Expected `aud`; the main audience when left out.")] = None
    algorithms: Annotated[
        list[JwtAlgorithm], Field(min_length=1, description="Accepted signature algorithms (asymmetric only).")
    ] = [JwtAlgorithm.ES256]
    jwks_url: Annotated[str | None, Field(description="Its JWKS endpoint (cached, refreshed on unknown `kid`).")] = None
    jwks_file: Annotated[Path | None, Field(description="A local JWKS document with its public keys.")] = None
    jwks_json: Annotated[str | None, Field(description="Its JWKS document inline, as JSON.")] = None

    @model_validator(mode="after")
    def _one_key_source_no_shared_secret(self) -> TrustedIssuer:
        if sum(source is not None for source in (self.jwks_url, self.jwks_file, self.jwks_json)) != 1:
            raise ValueError(f"trusted issuer {self.issuer!r} needs exactly one of jwks_url, jwks_file, jwks_json")
        if JwtAlgorithm.HS256 in self.algorithms:
            raise ValueError("a trusted issuer must sign with a private key (HS256 is refused)")
        return self


class AuthSettings(BaseModel):
    """How bearer tokens are verified. With no key source configured, every protected route answers 401."""

    issuer: Annotated[str, Field(description="Expected `iss` claim.")] = "motcua-dev"
    audience: Annotated[str, Field(description="Expected `aud` claim.")] = "motcua"
    algorithms: Annotated[
        list[JwtAlgorithm],
        Field(description="Accepted signature algorithms (pinned; `none` is never accepted)."),
    ] = [JwtAlgorithm.RS256, JwtAlgorithm.ES256]
    jwks_url: Annotated[
        str | None, Field(description="JWKS endpoint of the identity provider (cached, refreshed on unknown `kid`).")
    ] = None
    jwks_file: Annotated[Path | None, Field(description="A local JWKS document (JSON) with the public keys.")] = None
    jwks_json: Annotated[str | None, Field(description="The JWKS document inline, as JSON.")] = None
    jwks_cache_seconds: Annotated[int, Field(ge=10, description="How long fetched JWKS keys are trusted.")] = 300
    leeway_seconds: Annotated[int, Field(ge=0, le=300, description="Clock skew allowed on `exp`/`nbf`/`iat`.")] = 30
    allow_hs256: Annotated[
        bool,
        Field(description="Accept HS256 tokens signed with `hs256_secret` (development only; refused in production)."),
    ] = False
    hs256_secret: Annotated[SecretStr | None, Field(description="Shared secret for HS256 (development only).")] = None
    trusted_issuers: Annotated[
        list[TrustedIssuer],
        Field(
            description=(
                "Further issuers accepted, as JSON, e.g. the gateway's internal tokens:"
                ' `[{"issuer": "motcua-gateway", "jwks_url": "http://gateway/.well-known/jwks.json"}]`.'
            )
        ),
    ] = []

    @model_validator(mode="after")
    def _hs256_needs_secret(self) -> AuthSettings:
        if self.allow_hs256 and (self.hs256_secret is None or len(self.hs256_secret.get_secret_value()) < 32):
            raise ValueError("allow_hs256 needs hs256_secret of at least 32 characters")
        return self

    @model_validator(mode="after")
    def _issuers_are_distinct(self) -> AuthSettings:
        names = [self.issuer, *(t.issuer for t in self.trusted_issuers)]
        if len(set(names)) != len(names):
            raise ValueError("every trusted issuer needs its own `iss`, different from `issuer`")
        return self


class ServiceSettings(BaseSettings):
    """Base settings of a motcua process. Subclasses set ``env_prefix`` and their defaults."""

    model_config = SettingsConfigDict(
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    # The slug names the service in logs, metrics and problem documents.
    service_name: ClassVar[str] = "service"

    environment: Annotated[Environment, Field(description="development, test or production.")] = Environment.DEVELOPMENT
    host: Annotated[str, Field(description="Interface the HTTP server binds to.")] = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535, description="Port the HTTP server listens on.")] = 8000
    public_base_url: Annotated[
        str, Field(description="Base URL clients see (the gateway's), used in links and QR codes.")
    ] = "http://127.0.0.1:8000"
    log_level: Annotated[str, Field(pattern="^(DEBUG|INFO|WARNING|ERROR)$", description="Log level.")] = "INFO"
    log_json: Annotated[bool, Field(description="JSON log lines (true) or a readable console format (false).")] = True
    max_body_bytes: Annotated[int, Field(ge=1024, description="Largest request body accepted (413 beyond).")] = (
        1_048_576
    )
    database: DatabaseSettings = DatabaseSettings()
    auth: AuthSettings = AuthSettings()

    @field_validator("public_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _no_hs256_in_production(self) -> ServiceSettings:
        if self.environment is Environment.PRODUCTION and self.auth.allow_hs256:
            raise ValueError("HS256 tokens cannot be enabled in production")
        return self


def settings_reference(settings_cls: type[BaseSettings]) -> list[dict[str, Any]]:
    """List every environment variable of a settings class: name, default and description.

    Used to write `.env.example` and the configuration reference, so neither can drift.
    """
    prefix = str(settings_cls.model_config.get("env_prefix", ""))
    delimiter = str(settings_cls.model_config.get("env_nested_delimiter") or "__")
    rows: list[dict[str, Any]] = []

    def described(model: type[BaseModel], name: str) -> str:
        # A subclass that only changes a default (`port: int = 8001`) keeps its parent's description.
        for klass in model.__mro__:
            fields = getattr(klass, "__pydantic_fields__", {})
            if name in fields and fields[name].description:
                return str(fields[name].description)
        return ""

    def walk(model: type[BaseModel], path: str, defaults: BaseModel | None) -> None:
        for name, field in model.model_fields.items():
            annotation = field.annotation
            default = getattr(defaults, name) if defaults is not None else field.default
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{path}{name}{delimiter}", default if isinstance(default, BaseModel) else None)
                continue
            rows.append(
                {
                    "name": f"{prefix}{path}{name}".upper(),
                    "default": _render_default(default),
                    "description": described(model, name),
                    "secret": annotation is SecretStr or "SecretStr" in str(annotation),
                }
            )

    walk(settings_cls, "", None)
    return rows


def _render_default(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, SecretStr):
        return ""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps([v.value if isinstance(v, StrEnum) else v for v in value])
    return str(value)
