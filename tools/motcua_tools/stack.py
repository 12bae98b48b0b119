"""The processes of a local motcua system, and the environment each one gets.

The three services and the gateway serve HTTP; each service also runs its events dispatcher
(``python -m <service> dispatch``); a fake National Public Service Portal stands in for the real
one, so dossier-api's sync has somewhere to go. The services subscribe to each other's events as
in production: the catalogue's procedure events go to dossier-api, dossier-api's ``dossier.returned``
to the survey service, signed with secrets kept under ``var/dev-keys``.

Shared by ``make run`` (the launcher) and the end-to-end tests, so both start the system the same way.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from motcua_gateway.config import InternalTokenSettings
from motcua_gateway.internal_tokens import InternalTokenIssuer
from motcua_kit.devtokens import generate_signing_key, load_or_create_dev_keys, private_pem
from motcua_kit.events.dispatcher import new_secret


@dataclass(frozen=True)
class Process:
    name: str
    package: str
    env_prefix: str
    port: int
    has_database: bool
    dispatches: bool = False  # runs `python -m <package> dispatch` beside its server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve_argv(self) -> list[str]:
        if self.package == FAKE_PORTAL:
            return [sys.executable, "-m", FAKE_PORTAL, "--port", str(self.port), "--token", FAKE_PORTAL_TOKEN]
        return [sys.executable, "-m", self.package, "serve"]


FAKE_PORTAL = "motcua_tools.fake_portal"
FAKE_PORTAL_TOKEN = "portal-dev-token"  # noqa: S105 - the local fake portal's own token


def processes(env: Mapping[str, str] = os.environ) -> list[Process]:
    """The services and the gateway, on the ports the environment gives (or the defaults)."""

    def port(prefix: str, default: int) -> int:
        return int(env.get(f"{prefix}PORT", default))

    return [
        Process("procedure-catalog", "procedure_catalog", "CATALOG_", port("CATALOG_", 8001), True, True),
        Process("dossier-api", "dossier_api", "DOSSIER_", port("DOSSIER_", 8002), True, True),
        Process("satisfaction-survey", "satisfaction_survey", "SURVEY_", port("SURVEY_", 8003), True, True),
        Process("gateway", "motcua_gateway", "GATEWAY_", port("GATEWAY_", 8000), True),
        Process("national-portal (fake)", FAKE_PORTAL, "FAKE_PORTAL_", port("FAKE_PORTAL_", 8009), False),
    ]


def _private_file(path: Path, content: bytes) -> None:
    path.touch(mode=0o600)
    path.write_bytes(content)


def load_or_create_gateway_keys(directory: Path) -> tuple[Path, Path, Path]:
    """The gateway's development secrets in ``directory``: signing key (PEM), its JWKS, the API key pepper."""
    directory.mkdir(parents=True, exist_ok=True)
    key_file = directory / "gateway-signing-key.pem"
    jwks_file = directory / "gateway-jwks.json"
    pepper_file = directory / "api-key-pepper"
    if key_file.exists():
        loaded = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        key = loaded
    else:
        key = generate_signing_key()
        _private_file(key_file, private_pem(key))
    jwks = InternalTokenIssuer(InternalTokenSettings(), key).jwks()
    jwks_file.write_text(json.dumps(jwks, indent=2), encoding="utf-8")
    if not pepper_file.exists():
        _private_file(pepper_file, secrets.token_urlsafe(48).encode())
    return key_file, jwks_file, pepper_file


def stack_environment(var_dir: Path, procs: list[Process], base: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Environment for every child, SQLite under ``var_dir``.

    One development identity provider key trusted by all; the gateway's own signing key, whose
    internal tokens (for API-key clients) the services trust as a second issuer; the API key pepper.
    """
    keys = var_dir / "dev-keys"
    _key, _kid, jwks_file = load_or_create_dev_keys(keys)
    gateway_key, gateway_jwks, pepper = load_or_create_gateway_keys(keys)
    gateway_issuer = json.dumps([{"issuer": InternalTokenSettings().issuer, "jwks_file": str(gateway_jwks)}])
    env = dict(base)
    gateway = next(p for p in procs if p.name == "gateway")
    for proc in procs:
        if proc.package == FAKE_PORTAL:
            continue
        p = proc.env_prefix
        env.setdefault(f"{p}PORT", str(proc.port))
        env.setdefault(f"{p}AUTH__JWKS_FILE", str(jwks_file))
        env.setdefault(f"{p}PUBLIC_BASE_URL", gateway.url)
        env.setdefault(f"{p}LOG_JSON", "false")  # readable on a terminal; production keeps JSON
        if proc.has_database:
            env.setdefault(f"{p}DATABASE__URL", f"sqlite:///{var_dir / (proc.name + '.db')}")
        if proc is not gateway:
            env.setdefault(f"{p}AUTH__TRUSTED_ISSUERS", gateway_issuer)
            env.setdefault(f"GATEWAY_{p.removesuffix('_')}__URL", proc.url)
    env.setdefault("GATEWAY_INTERNAL_TOKENS__SIGNING_KEY_FILE", str(gateway_key))
    env.setdefault("GATEWAY_API_KEYS__PEPPER", pepper.read_text(encoding="utf-8").strip())
    by_name = {p.name: p for p in procs}
    # dossier-api reads the procedure catalogue at every reception.
    env.setdefault("DOSSIER_CATALOG__URL", by_name["procedure-catalog"].url)
    _subscribe_services(env, keys, by_name)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _inbox_secret(directory: Path, service: str) -> str:
    """A service's inbox secret (Standard Webhooks format), made once."""
    path = directory / f"{service}-inbox.secret"
    if not path.exists():
        _private_file(path, new_secret().encode())
    return path.read_text(encoding="utf-8").strip()


def _subscribe_services(env: dict[str, str], keys: Path, by_name: Mapping[str, Process]) -> None:
    """The services' subscriptions to each other, and dossier-api's to the (fake) national portal."""
    dossier, survey = by_name["dossier-api"], by_name["satisfaction-survey"]
    dossier_inbox, survey_inbox = _inbox_secret(keys, "dossier-api"), _inbox_secret(keys, "satisfaction-survey")
    env.setdefault("DOSSIER_EVENTS__INBOX_SECRET", dossier_inbox)
    env.setdefault("SURVEY_EVENTS__INBOX_SECRET", survey_inbox)
    procedure_events = ["procedure.published", "procedure.amended", "procedure.abolished"]
    to_dossier = {"name": "dossier-api", "url": f"{dossier.url}/internal/events", "secret": dossier_inbox}
    to_survey = {"name": "satisfaction-survey", "url": f"{survey.url}/internal/events", "secret": survey_inbox}
    env.setdefault("CATALOG_EVENTS__SUBSCRIPTIONS", json.dumps([{**to_dossier, "event_types": procedure_events}]))
    env.setdefault("DOSSIER_EVENTS__SUBSCRIPTIONS", json.dumps([{**to_survey, "event_types": ["dossier.returned"]}]))
    portal = by_name.get("national-portal (fake)")
    if portal is not None:
        env.setdefault("DOSSIER_NATIONAL_PORTAL__URL", portal.url)
        env.setdefault("DOSSIER_NATIONAL_PORTAL__TOKEN", FAKE_PORTAL_TOKEN)
