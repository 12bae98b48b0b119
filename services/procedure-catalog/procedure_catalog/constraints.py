"""Constrained input types shared by the catalogue's schemas."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._-]*$"

ProcedureCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=CODE_PATTERN)
]
"""National procedure code (MaTTHC): opaque, e.g. `1.000948` or `1.000948.H38`."""

ReferenceCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=CODE_PATTERN)
]
"""Code of a field (lĩnh vực) or an agency."""


# Trimmed, non-empty texts by their longest length.
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text300 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text500 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Text1000 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Text2000 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]

EARLIEST_DAY = dt.date(1945, 9, 2)
LATEST_DAY = dt.date(2199, 12, 31)


def _plausible_day(value: dt.date) -> dt.date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}")
    return value


Day = Annotated[dt.date, AfterValidator(_plausible_day)]
"""A calendar day in a plausible range (legal texts since 1945, nothing past 2199)."""
