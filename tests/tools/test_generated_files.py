"""Files generated from the code stay in step with it."""

from __future__ import annotations

from pathlib import Path

from motcua_tools.envdoc import render

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_lists_every_setting() -> None:
    assert (ROOT / ".env.example").read_text(encoding="utf-8") == render(), "run `make env-example`"
