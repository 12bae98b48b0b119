"""Write the configuration reference of docs/operations.md from the settings classes (`make env-example`).

The reference sits between two markers in the guide; everything else in the guide is hand-written.
`tests/deploy/test_operations_doc.py` fails when the committed reference differs from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from motcua_kit.settings import settings_reference
from motcua_tools.envdoc import SETTINGS

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
BEGIN = "<!-- BEGIN GENERATED: configuration reference (make env-example) -->"
END = "<!-- END GENERATED: configuration reference -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reference() -> str:
    lines = [BEGIN, ""]
    for title, settings_cls in SETTINGS:
        lines += [f"#### {title}", "", "| variable | default | secret | what it is |", "|---|---|---|---|"]
        for row in settings_reference(settings_cls):
            default = "" if row["secret"] else row["default"]
            lines.append(
                f"| `{row['name']}` | {('`' + _cell(default) + '`') if default else ''} "
                f"| {'yes' if row['secret'] else ''} | {_cell(row['description'])} |"
            )
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def updated(guide: str) -> str:
    """The guide with its generated section replaced by the current reference."""
    start, end = guide.index(BEGIN), guide.index(END) + len(END)
    return guide[:start] + reference() + guide[end:]


if __name__ == "__main__":
    GUIDE.write_text(updated(GUIDE.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"updated {GUIDE.name}\n")
