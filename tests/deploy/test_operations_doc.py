"""docs/operations.md: its configuration reference is the code's, so it cannot drift."""

from __future__ import annotations

from motcua_kit.settings import settings_reference
from motcua_tools import opsdoc
from motcua_tools.envdoc import SETTINGS


def test_configuration_reference_is_current() -> None:
    guide = opsdoc.GUIDE.read_text(encoding="utf-8")
    assert opsdoc.updated(guide) == guide, "run `make env-example` to regenerate the reference"


def test_reference_lists_every_variable_once() -> None:
    reference = opsdoc.reference()
    for _title, settings_cls in SETTINGS:
        for row in settings_reference(settings_cls):
            assert reference.count(f"| `{row['name']}` |") == 1, row["name"]


def test_secret_defaults_are_never_printed() -> None:
    reference = opsdoc.reference()
    secret_rows = [line for line in reference.splitlines() if "| yes |" in line]
    assert secret_rows  # the HS256 secrets at least
    assert all(line.split("|")[2].strip() == "" for line in secret_rows)
