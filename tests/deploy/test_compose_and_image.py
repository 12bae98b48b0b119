"""The compose file against the Compose schema, its order and exposure; the Dockerfile linted; the init script."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import jsonschema
import pytest
import yaml
from sqlalchemy.engine import make_url

from dossier_api.config import DossierSettings
from motcua_gateway.config import GatewaySettings
from motcua_kit.settings import settings_reference
from procedure_catalog.config import CatalogSettings
from satisfaction_survey.config import SurveySettings
from tests.deploy.conftest import DEPLOY

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "compose_spec.json").read_text(encoding="utf-8"))
COMPOSE_FILES = ["compose.yaml", "compose.api-keys.yaml"]
WEB = {"catalog", "dossier", "survey", "gateway"}
DISPATCHERS = {"catalog-dispatcher", "dossier-dispatcher", "survey-dispatcher"}
TMP = "/tmp"  # noqa: S108 - the containers' only writable path, not a file we create
INIT_SCRIPT = DEPLOY / "postgres" / "init-databases.sh"

# Every variable the manifests set must be a setting the code reads (nothing is wired ahead any more).
ASSUMED_SETTINGS: set[str] = set()
OTHER_VARIABLES = {"SERVICE", "FORWARDED_ALLOW_IPS"}


def known_settings() -> set[str]:
    return {
        row["name"]
        for cls in (CatalogSettings, DossierSettings, SurveySettings, GatewaySettings)
        for row in settings_reference(cls)
    }


def compose(name: str = "compose.yaml") -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_compose_files_match_the_compose_schema(name: str) -> None:
    validator = jsonschema.Draft201909Validator(SCHEMA)
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(compose(name))]
    assert errors == []


def test_the_schema_catches_mistakes() -> None:
    broken = compose()
    broken["services"]["gateway"]["depends_on"]["catalog"]["condition"] = "service_ready"
    broken["services"]["gateway"]["helthcheck"] = {}
    assert len(list(jsonschema.Draft201909Validator(SCHEMA).iter_errors(broken))) == 2


def test_only_the_gateway_is_published() -> None:
    services = compose()["services"]
    assert [name for name, s in services.items() if s.get("ports")] == ["gateway"]
    assert all("expose" not in s for s in services.values())


def test_dependency_order() -> None:
    services = compose()["services"]
    for name in [*WEB, *DISPATCHERS]:
        database = name.split("-")[0]
        depends = services[name]["depends_on"]
        assert depends[f"{database}-migrate"] == {"condition": "service_completed_successfully"}, name
        assert services[f"{database}-migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        assert services[f"{database}-migrate"]["command"] == ["migrate"]
        assert services[f"{database}-migrate"]["restart"] == "no"
    gateway = services["gateway"]["depends_on"]
    for upstream in ("catalog", "dossier", "survey", "redis"):
        assert gateway[upstream] == {"condition": "service_healthy"}
    assert services["fake-portal"]["profiles"] == ["portal"]


def test_long_running_processes_are_health_checked_and_locked_down() -> None:
    services = compose()["services"]
    for name, service in services.items():
        if name in {"postgres", "redis"}:
            assert "test" in service["healthcheck"], name
            continue
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert TMP in service["tmpfs"], name
        assert service["deploy"]["resources"]["limits"]["memory"], name
        if name in WEB:
            assert service["healthcheck"]["test"][-1] == "--ready", name
        elif name in DISPATCHERS or name.endswith("-migrate"):
            assert service["healthcheck"] == {"disable": True}, name
        else:
            assert "test" in service["healthcheck"], name


def test_every_variable_is_a_setting_the_code_reads() -> None:
    known = known_settings()
    unknown = set()
    for name in COMPOSE_FILES:
        for service in compose(name)["services"].values():
            for variable in service.get("environment", {}):
                if re.match(r"^(CATALOG|DOSSIER|SURVEY|GATEWAY)_", variable) and variable not in known:
                    unknown.add(variable)
                elif not re.match(r"^(CATALOG|DOSSIER|SURVEY|GATEWAY|MOTCUA|POSTGRES)_", variable):
                    assert variable in OTHER_VARIABLES, variable
    assert unknown <= ASSUMED_SETTINGS, sorted(unknown - ASSUMED_SETTINGS)


def test_every_interpolated_variable_is_in_the_env_example() -> None:
    example = (DEPLOY / "compose.env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    used = set()
    for name in COMPOSE_FILES:
        used |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", (DEPLOY / name).read_text(encoding="utf-8")))
    assert used <= listed, sorted(used - listed)


def test_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(  # noqa: S603 - the linter on our own file
        [str(hadolint), "--failure-threshold", "info", str(DEPLOY / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_final_stage_is_small_locked_and_unprivileged() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    stages = re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]
    assert len(stages) == 2
    build, runtime = stages
    assert "uv sync --frozen --no-dev" in build
    assert "AS runtime" in runtime.splitlines()[0]
    for tool in ("pip install", "uv ", "apt-get", "gcc", "build-essential"):
        assert tool not in runtime, tool
    users = re.findall(r"^USER (\S+)", runtime, flags=re.MULTILINE)
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*motcua_tools\.healthcheck", runtime, flags=re.MULTILINE)
    assert 'exec python -m \\"$SERVICE\\"' in runtime  # SIGTERM reaches the server


def test_dockerignore_keeps_secrets_and_caches_out() -> None:
    ignored = set((DEPLOY.parent / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".git", ".venv", ".env", "var", "tests"} <= ignored


POSTGRES_URL = os.environ.get("POSTGRES_URL")


async def run_init_script(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The script as the postgres image runs it (sh, with POSTGRES_USER and the passwords in the environment)."""
    return await asyncio.to_thread(
        subprocess.run,
        [shutil.which("sh") or "/bin/sh", str(INIT_SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(not POSTGRES_URL, reason="needs POSTGRES_URL")
async def test_init_script_makes_one_private_database_per_service(tmp_path: Path) -> None:
    assert POSTGRES_URL is not None
    admin = make_url(POSTGRES_URL)
    names = [f"motcua_init_{uuid.uuid4().hex[:8]}_{n}" for n in ("one", "two")]
    env = {
        **os.environ,
        "POSTGRES_USER": admin.username or "postgres",
        "PGHOST": admin.host or "127.0.0.1",
        "PGPORT": str(admin.port or 5432),
        "MOTCUA_DATABASES": " ".join(names),
        **{f"MOTCUA_{n.upper()}_DB_PASSWORD": "pw-" + n for n in names},
    }
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        result = await run_init_script(env)
        assert result.returncode == 0, result.stderr
        connection = await asyncpg.connect(dsn)
        try:
            for name in names:
                owner = await connection.fetchval(
                    "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", name
                )
                assert owner == name
                public_connect = await connection.fetchval(
                    "SELECT has_database_privilege('public', $1, 'CONNECT')", name
                )
                assert public_connect is False
                other = names[1] if name == names[0] else names[0]
                assert (
                    await connection.fetchval("SELECT has_database_privilege($1, $2, 'CONNECT')", name, other) is False
                )
        finally:
            await connection.close()
        missing = {**env, "MOTCUA_DATABASES": "motcua_init_nopassword"}
        refused = await run_init_script(missing)
        assert refused.returncode != 0
        assert "MOTCUA_MOTCUA_INIT_NOPASSWORD_DB_PASSWORD is not set" in refused.stderr
    finally:
        connection = await asyncpg.connect(dsn)
        try:
            for name in names:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await connection.execute(f'DROP ROLE IF EXISTS "{name}"')
        finally:
            await connection.close()
