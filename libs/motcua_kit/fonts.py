"""The Vietnamese font of every printed document (dossier slips, reports), and text made printable with it.

Be Vietnam Pro (OFL-1.1) is drawn for Vietnamese and shipped by the ``fontpkg-be-vietnam-pro`` wheel.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from functools import cache
from importlib import resources
from pathlib import Path

FAMILY = "BeVietnamPro"
FONT_FILES = {"": "BeVietnamPro-Regular.ttf", "B": "BeVietnamPro-Bold.ttf", "I": "BeVietnamPro-Italic.ttf"}
REPLACEMENT = "?"


@cache
def font_path(style: str) -> Path:
    """The TTF of a style: ``""`` regular, ``"B"`` bold, ``"I"`` italic."""
    path = Path(str(resources.files("fontpkg_be_vietnam_pro") / "files" / FONT_FILES[style]))
    if not path.is_file():
        raise RuntimeError(f"font file missing from fontpkg-be-vietnam-pro: {path.name}")
    return path


def printable(text: str, glyphs: Collection[int], *, multiline: bool = False) -> str:
    """NFC (precomposed Vietnamese letters), no control characters, ``?`` for what the font cannot draw.

    Without this, decomposed input would print loose accents and fpdf2 would log the missing
    characters, which may be pieces of a person's name.
    """
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char == "\n" and multiline:
            out.append(char)
        elif unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}:
            out.append(" " if char in "\t\r\n\u2028\u2029" else "")
        elif ord(char) in glyphs or char == " ":
            out.append(char)
        else:
            out.append(REPLACEMENT)
    return "".join(out)
