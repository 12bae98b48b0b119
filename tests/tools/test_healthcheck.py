"""The container health check: HTTP probes for the servers, a heartbeat file for the dispatchers."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from motcua_kit.cli import beat
from motcua_tools.healthcheck import heartbeat_fresh, main


def test_unknown_service_is_unhealthy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE", "not_a_service")
    assert main([]) == 1


def test_nothing_listening_is_unhealthy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE", "dossier_api")
    monkeypatch.setenv("DOSSIER_PORT", "1")  # nothing listens on port 1
    assert main(["--ready"]) == 1


def test_heartbeat_age(tmp_path: Path) -> None:
    path = tmp_path / "alive"
    assert not heartbeat_fresh(path, 60)  # never written
    path.touch()
    assert heartbeat_fresh(path, 60)
    stale = time.time() - 120
    os.utime(path, (stale, stale))
    assert not heartbeat_fresh(path, 60)
    assert main(["--heartbeat", str(path), "--max-age", "60"]) == 1
    assert main(["--heartbeat", str(path), "--max-age", "600"]) == 0


async def test_beat_touches_until_stopped(tmp_path: Path) -> None:
    path = tmp_path / "alive"
    stop = asyncio.Event()
    task = asyncio.create_task(beat(path, stop, every=0.01))
    await asyncio.sleep(0.05)
    assert path.exists()
    first = path.stat().st_mtime_ns
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 1)
    assert path.stat().st_mtime_ns >= first
