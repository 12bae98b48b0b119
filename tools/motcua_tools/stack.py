"""The four processes of a local motcua system, and the environment each one gets.

Shared by ``make run`` (the launcher) and the end-to-end tests, so both start the system the same way.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from motcua_kit.devtokens import load_or_create_dev_keys


@dataclass(frozen=True)
class Process:
    name: str
    package: str
    env_prefix: str
    port: int
    has_database: bool

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def processes(env: Mapping[str, str] = os.environ) -> list[Process]:
    """The services and the gateway, on the ports the environment gives (or the defaults)."""

    def port(prefix: str, default: int) -> int:
        return int(env.get(f"{prefix}PORT", default))

    return [
        Process("procedure-catalog", "procedure_catalog", "CATALOG_", port("CATALOG_", 8001), True),
        Process("dossier-api", "dossier_api", "DOSSIER_", port("DOSSIER_", 8002), True),
        Process("satisfaction-survey", "satisfaction_survey", "SURVEY_", port("SURVEY_", 8003), True),
        Process("gateway", "motcua_gateway", "GATEWAY_", port("GATEWAY_", 8000), False),
    ]


def stack_environment(var_dir: Path, procs: list[Process], base: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Environment for every child: one dev signing key trusted by all, SQLite under ``var_dir``."""
    _key, _kid, jwks_file = load_or_create_dev_keys(var_dir / "dev-keys")
    env = dict(base)
    gateway = next(p for p in procs if p.name == "gateway")
    for proc in procs:
        p = proc.env_prefix
        env.setdefault(f"{p}PORT", str(proc.port))
        env.setdefault(f"{p}AUTH__JWKS_FILE", str(jwks_file))
        env.setdefault(f"{p}PUBLIC_BASE_URL", gateway.url)
        env.setdefault(f"{p}LOG_JSON", "false")  # readable on a terminal; production keeps JSON
        if proc.has_database:
            env.setdefault(f"{p}DATABASE__URL", f"sqlite:///{var_dir / (proc.name + '.db')}")
    for proc in procs:
        if proc.has_database:
            env.setdefault(f"GATEWAY_{proc.env_prefix.removesuffix('_')}__URL", proc.url)
    # dossier-api reads the procedure catalogue at every reception.
    catalog = next(p for p in procs if p.name == "procedure-catalog")
    env.setdefault("DOSSIER_CATALOG__URL", catalog.url)
    env["PYTHONUNBUFFERED"] = "1"
    return env
