"""The local launcher wires the processes to each other."""

from __future__ import annotations

import json
from pathlib import Path

from motcua_tools.stack import processes, stack_environment


def test_dossier_api_reads_the_local_catalogue(tmp_path: Path) -> None:
    procs = processes({"CATALOG_PORT": "9101"})
    env = stack_environment(tmp_path, procs, base={})
    assert env["DOSSIER_CATALOG__URL"] == "http://127.0.0.1:9101"


def test_an_explicit_catalogue_url_wins(tmp_path: Path) -> None:
    env = stack_environment(tmp_path, processes({}), base={"DOSSIER_CATALOG__URL": "http://catalog.internal"})
    assert env["DOSSIER_CATALOG__URL"] == "http://catalog.internal"


def test_the_services_subscribe_to_each_other_with_their_inbox_secrets(tmp_path: Path) -> None:
    procs = processes({})
    env = stack_environment(tmp_path, procs, base={})
    catalog_subscriptions = json.loads(env["CATALOG_EVENTS__SUBSCRIPTIONS"])
    dossier_subscriptions = json.loads(env["DOSSIER_EVENTS__SUBSCRIPTIONS"])
    assert catalog_subscriptions[0]["url"] == "http://127.0.0.1:8002/internal/events"
    assert catalog_subscriptions[0]["secret"] == env["DOSSIER_EVENTS__INBOX_SECRET"]
    assert dossier_subscriptions[0]["url"] == "http://127.0.0.1:8003/internal/events"
    assert dossier_subscriptions[0]["event_types"] == ["dossier.returned"]
    assert dossier_subscriptions[0]["secret"] == env["SURVEY_EVENTS__INBOX_SECRET"]
    assert env["DOSSIER_NATIONAL_PORTAL__URL"] == "http://127.0.0.1:8009"
    # The secrets are made once and kept.
    assert (
        stack_environment(tmp_path, procs, base={})["SURVEY_EVENTS__INBOX_SECRET"] == env["SURVEY_EVENTS__INBOX_SECRET"]
    )
    assert "GATEWAY_FAKE_PORTAL__URL" not in env
