"""`make run`'s launcher, for real: four processes on loopback, demo data, a clean stop on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from motcua_kit.devtokens import load_or_create_dev_keys, mint_token
from motcua_tools.stack import processes, stack_environment

pytestmark = pytest.mark.e2e

Stack = tuple[dict[str, int], Path, subprocess.Popen[bytes]]


PROCESS_PREFIXES = ("GATEWAY", "CATALOG", "DOSSIER", "SURVEY", "FAKE_PORTAL")


def own_environment() -> dict[str, str]:
    """This process's environment without any motcua setting a developer may have exported."""
    return {k: v for k, v in os.environ.items() if not k.startswith(tuple(p + "_" for p in PROCESS_PREFIXES))}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    var = tmp_path_factory.mktemp("var")
    ports = {name: free_port() for name in PROCESS_PREFIXES}
    env = own_environment()
    env.update({f"{name}_PORT": str(port) for name, port in ports.items()})
    env.update({f"{name}_LOG_LEVEL": "WARNING" for name in ports})
    log = (var / "launcher.log").open("wb")
    launcher = subprocess.Popen(  # noqa: S603 - our own launcher
        [sys.executable, "-m", "motcua_tools.run", "--var", str(var)], env=env, stdout=log, stderr=log
    )
    gateway = f"http://127.0.0.1:{ports['GATEWAY']}"
    deadline = time.monotonic() + 180  # four processes start on a shared, sometimes busy, 2-core machine
    while time.monotonic() < deadline:
        assert launcher.poll() is None, (var / "launcher.log").read_text()
        try:
            if httpx.get(f"{gateway}/readyz", timeout=1).json().get("status") == "ready":
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    else:
        # Ctrl-C, so the launcher stops its children; a SIGKILL would leave them running.
        launcher.send_signal(signal.SIGINT)
        try:
            launcher.wait(timeout=30)
        except subprocess.TimeoutExpired:
            launcher.kill()
        pytest.fail("the local stack did not become ready:\n" + (var / "launcher.log").read_text())
    yield ports, var, launcher
    if launcher.poll() is None:
        # Ctrl-C, as a person would: the launcher stops its children. A SIGKILL would orphan them.
        launcher.send_signal(signal.SIGINT)
        try:
            launcher.wait(timeout=30)
        except subprocess.TimeoutExpired:
            launcher.kill()
            launcher.wait()
    log.close()


def test_gateway_serves_the_demo_catalogue(stack: Stack) -> None:
    gateway = f"http://127.0.0.1:{stack[0]['GATEWAY']}"
    listed = httpx.get(f"{gateway}/api/v1/procedures", params={"size": 100}).json()
    assert listed["total"] == 13
    assert any("APEC" in p["name_vi"] for p in listed["items"])
    questionnaire = httpx.get(f"{gateway}/api/v1/surveys/questionnaires/current").json()
    assert questionnaire["status"] == "published"


def test_docs_show_every_service(stack: Stack) -> None:
    gateway = f"http://127.0.0.1:{stack[0]['GATEWAY']}"
    assert httpx.get(f"{gateway}/docs").status_code == 200
    # A service builds its schema on its first /openapi.json; on a loaded machine that can pass the
    # gateway's 3 s bound, and the gateway answers without it (named in x-missing-upstreams), keeps
    # nothing, and asks again on the next request.
    deadline = time.monotonic() + 60
    document = httpx.get(f"{gateway}/openapi.json", timeout=30).json()
    while "x-missing-upstreams" in document and time.monotonic() < deadline:
        time.sleep(0.5)
        document = httpx.get(f"{gateway}/openapi.json", timeout=30).json()
    assert "x-missing-upstreams" not in document
    paths = document["paths"]
    assert {"/api/v1/procedures", "/api/v1/dossiers", "/api/v1/surveys/questionnaires/current"} <= set(paths)


def test_readyz_reports_each_upstream(stack: Stack) -> None:
    gateway = f"http://127.0.0.1:{stack[0]['GATEWAY']}"
    checks = httpx.get(f"{gateway}/readyz").json()["checks"]
    assert checks == {
        "procedure-catalog": "ok",
        "dossier-api": "ok",
        "satisfaction-survey": "ok",
        "gateway-database": "ok",
        "gateway-migrations": "ok",
    }


def test_a_dev_token_works_across_real_processes(stack: Stack) -> None:
    gateway, var = f"http://127.0.0.1:{stack[0]['GATEWAY']}", stack[1]
    key, kid, _ = load_or_create_dev_keys(var / "dev-keys")
    token = mint_token(key, kid, issuer="motcua-dev", audience="motcua", subject="e2e", roles=["reception_officer"])
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": "e2e-trace-1"}
    payload = {
        "procedure_code": "1.000948",
        "channel": "in_person",
        "applicant": {"name": "Trần Thị Bình", "id_number": "048190004321", "phone": "0912345678"},
    }
    created = httpx.post(f"{gateway}/api/v1/dossiers", json=payload, headers=headers)
    assert created.status_code == 201, created.text
    assert created.headers["x-request-id"] == "e2e-trace-1"
    code = created.json()["code"]
    assert httpx.get(f"{gateway}/api/v1/dossiers/{code}", headers=headers).json()["status"] == "received"
    assert httpx.post(f"{gateway}/api/v1/dossiers", json=payload).status_code == 401


def test_an_api_key_made_with_the_cli_works_across_real_processes(stack: Stack) -> None:
    """The gateway checks the key and forwards its own token; dossier-api verifies that token itself."""
    ports, var, _ = stack
    gateway = f"http://127.0.0.1:{ports['GATEWAY']}"
    env = own_environment()
    env.update({f"{name}_PORT": str(port) for name, port in ports.items()})
    env = stack_environment(var, processes(env), base=env)
    created = subprocess.run(
        [sys.executable, "-m", "motcua_gateway", "api-clients", "create", "city-one-stop", "--roles", "integration"],
        env=env,
        capture_output=True,
        check=True,
    )
    key = json.loads(created.stdout)["api_key"]
    payload = {"procedure_code": "1.000948", "channel": "online", "applicant": {"name": "Lê Văn Cường"}}
    response = httpx.post(f"{gateway}/api/v1/dossiers", json=payload, headers={"X-API-Key": key})
    assert response.status_code == 201, response.text
    assert (
        httpx.post(f"{gateway}/api/v1/dossiers", json=payload, headers={"X-API-Key": key[:-2] + "xx"}).status_code
        == 401
    )


def test_reports_compose_the_real_services(stack: Stack) -> None:
    """The gateway reads the three services' statistics with its own token, as under `make run`."""
    gateway, var = f"http://127.0.0.1:{stack[0]['GATEWAY']}", stack[1]
    key, kid, _ = load_or_create_dev_keys(var / "dev-keys")
    token = mint_token(key, kid, issuer="motcua-dev", audience="motcua", subject="e2e", roles=["reporter"])
    period = {"from": "2020-01-01", "to": "2020-12-31"}
    overview = httpx.get(
        f"{gateway}/api/v1/reports/overview", params=period, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ).json()
    assert (overview["complete"], overview["missing"]) == (True, [])
    # The demo catalogue: the seed report's "8 of 13 procedures online at level 3" at the end of 2020.
    assert (overview["catalogue"]["in_force"], overview["catalogue"]["online_submission_legacy"]) == (13, 8)
    public = httpx.get(f"{gateway}/api/v1/reports/public", params=period, timeout=30).json()
    assert (public["procedures_in_force"], public["missing"]) == (13, [])


def test_ctrl_c_stops_everything(stack: Stack) -> None:
    ports, _, launcher = stack
    launcher.send_signal(signal.SIGINT)
    assert launcher.wait(timeout=30) == 0
    for port in ports.values():
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/livez", timeout=1)
