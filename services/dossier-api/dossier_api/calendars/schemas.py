from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema, field_validator, model_validator

# Days an agency can name: the calendar engine covers 1989-2200; anything far outside is a typo.
EARLIEST_DAY = dt.date(1990, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)
MAX_ENTRIES = 1000

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

# A local time of day. Not JSON Schema's `format: time`: that is RFC 3339's full-time, which carries an
# offset, and working periods never do (the validator below refuses one).
LocalTime = Annotated[
    dt.time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
            "description": "Local time of day, HH:MM or HH:MM:SS, without an offset.",
            "examples": ["07:30"],
        }
    ),
]


def _plausible_day(day: dt.date) -> dt.date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
    return day


class NamedDay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date
    name: Label

    @field_validator("date")
    @classmethod
    def _plausible(cls, value: dt.date) -> dt.date:
        return _plausible_day(value)


class Closure(BaseModel):
    """Days the agency itself is closed (moving offices, a local event), first and last included."""

    model_config = ConfigDict(extra="forbid")

    first: dt.date
    last: dt.date
    reason: Label

    @field_validator("first", "last")
    @classmethod
    def _plausible(cls, value: dt.date) -> dt.date:
        return _plausible_day(value)

    @model_validator(mode="after")
    def _ordered_and_short(self) -> Closure:
        if self.last < self.first:
            raise ValueError("a closure's last day cannot be before its first")
        if (self.last - self.first).days > 366:
            raise ValueError("a closure lasts at most a year")
        return self

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]


class Period(BaseModel):
    """A stretch of working time in the day, local time."""

    model_config = ConfigDict(extra="forbid")

    start: LocalTime
    end: LocalTime

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working periods are local times, without an offset")
        if self.end <= self.start:
            raise ValueError("a working period ends after it starts")
        return self


DEFAULT_PERIODS = [Period(start=dt.time(7, 0), end=dt.time(11, 30)), Period(start=dt.time(13, 30), end=dt.time(17, 0))]


class CalendarRulesDoc(BaseModel):
    """An agency's additions to the national calendar (holidays and announced swaps come built in)."""

    model_config = ConfigDict(extra="forbid")

    days_off: list[NamedDay] = Field(
        default_factory=list,
        max_length=MAX_ENTRIES,
        description="Extra days off for everyone, e.g. a swap the government announced late (2 May 2025).",
    )
    worked_days: list[NamedDay] = Field(
        default_factory=list,
        max_length=MAX_ENTRIES,
        description="Weekend days worked in a swap (26 April 2025).",
    )
    closures: list[Closure] = Field(default_factory=list, max_length=MAX_ENTRIES)
    periods: list[Period] = Field(
        default_factory=lambda: list(DEFAULT_PERIODS),
        min_length=1,
        max_length=6,
        description="Working hours of a working day, in order.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> CalendarRulesDoc:
        off = {d.date for d in self.days_off}
        worked = {d.date for d in self.worked_days}
        if len(off) != len(self.days_off) or len(worked) != len(self.worked_days):
            raise ValueError("a day is listed twice")
        if both := sorted(off & worked):
            raise ValueError(f"{both[0]} cannot be both a day off and a worked day")
        for before, after in zip(self.periods, self.periods[1:], strict=False):
            if after.start < before.end:
                raise ValueError("working periods must be in order and must not overlap")
        return self


class CalendarUpdate(CalendarRulesDoc):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = Field(
        default=None, description="Why this version (the announcement it follows)."
    )


class CalendarRead(BaseModel):
    agency_code: str
    version: int = Field(description="0: the national calendar with no agency additions yet.")
    rules: CalendarRulesDoc
    note: str | None
    created_by: str | None
    created_at: dt.datetime | None


class CalendarVersionSummary(BaseModel):
    version: int
    note: str | None
    created_by: str
    created_at: dt.datetime


class DueDatePreview(BaseModel):
    agency_code: str
    calendar_version: int
    start: dt.datetime
    clock_started_at: dt.datetime = Field(description="After closing time, the next working morning.")
    working_days: float | None
    working_hours: float | None
    due_at: dt.datetime


class DayOff(BaseModel):
    date: dt.date
    working: bool
    name: str | None = None
