"""``python -m motcua_gateway api-clients ...`` on a SQLite file, as an operator on the host would use it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from motcua_gateway.apiclients.rules import parse_key
from motcua_gateway.cli import main
from motcua_gateway.main import MIGRATIONS
from motcua_kit.devtokens import generate_signing_key, private_pem
from motcua_kit.migrations import upgrade
from tests.gateway.conftest import PEPPER


@pytest.fixture
def gateway_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "gateway.db"
    key_file = tmp_path / "gateway-signing-key.pem"
    key_file.write_bytes(private_pem(generate_signing_key()))
    monkeypatch.setenv("GATEWAY_DATABASE__URL", f"sqlite:///{database}")
    monkeypatch.setenv("GATEWAY_API_KEYS__PEPPER", PEPPER)
    monkeypatch.setenv("GATEWAY_INTERNAL_TOKENS__SIGNING_KEY_FILE", str(key_file))
    upgrade(MIGRATIONS, f"sqlite:///{database}")
    return database


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, object]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, json.loads(out) if code == 0 else err


def test_create_rotate_revoke_and_list(gateway_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, created = run(capsys, "create", "national-portal", "--roles", "integration,reporter", "--agency", "SNGV")
    assert code == 0
    assert isinstance(created, dict)
    first = created["api_key"]
    assert parse_key(first) == created["key_id"]
    assert created["client"]["roles"] == ["integration", "reporter"]

    code, rotated = run(capsys, "rotate", "national-portal", "--grace-hours", "1")
    assert code == 0
    assert isinstance(rotated, dict)
    assert rotated["api_key"] != first
    assert [k["valid"] for k in rotated["client"]["keys"]] == [True, True]

    assert run(capsys, "revoke", "national-portal", created["key_id"])[0] == 0
    code, listed = run(capsys, "list")
    assert code == 0
    assert isinstance(listed, list)
    assert [k["valid"] for k in listed[0]["keys"]] == [False, True]
    assert "api_key" not in json.dumps(listed)


def test_mistakes_are_reported_not_raised(gateway_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, error = run(capsys, "create", "root", "--roles", "admin")
    assert code == 1
    assert "role_not_grantable" in str(error)
    code, error = run(capsys, "create", "Not A Slug", "--roles", "integration")
    assert code == 2
    code, error = run(capsys, "rotate", "nobody")
    assert code == 1
    assert "api_client_not_found" in str(error)
