"""The local launcher wires the processes to each other."""

from __future__ import annotations

from pathlib import Path

from motcua_tools.stack import processes, stack_environment


def test_dossier_api_reads_the_local_catalogue(tmp_path: Path) -> None:
    procs = processes({"CATALOG_PORT": "9101"})
    env = stack_environment(tmp_path, procs, base={})
    assert env["DOSSIER_CATALOG__URL"] == "http://127.0.0.1:9101"


def test_an_explicit_catalogue_url_wins(tmp_path: Path) -> None:
    env = stack_environment(tmp_path, processes({}), base={"DOSSIER_CATALOG__URL": "http://catalog.internal"})
    assert env["DOSSIER_CATALOG__URL"] == "http://catalog.internal"
