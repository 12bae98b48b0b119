"""A dossier's due date, derived (never typed in) from its clock start, duration, calendar and pauses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from dossier_api.calendar.engine import Duration, DurationUnit, WorkingCalendar
from dossier_api.calendar.engine import Pause as ClockPause
from dossier_api.calendar.rules import Progress, progress
from dossier_api.models import IN_PROGRESS_STATUSES, Dossier, Pause


def processing_duration(dossier: Dossier) -> Duration | None:
    if dossier.processing_time_value is None or dossier.processing_time_unit is None:
        return None
    return Duration(dossier.processing_time_value, DurationUnit(dossier.processing_time_unit))


def derive_due_at(
    dossier: Dossier, pauses: Sequence[Pause], calendar: WorkingCalendar, *, now: dt.datetime
) -> dt.datetime | None:
    """Clock start + processing time on the calendar, plus the working time paused, plus an accepted reschedule.

    Pauses before the clock (re)started do not count: a completed supplement restarts it. An open
    pause counts up to ``now``; while it lasts the due date moves with it (see ``paused_since``).
    """
    duration = processing_duration(dossier)
    if dossier.clock_started_at is None or duration is None:
        return None
    started = dossier.clock_started_at
    clock_pauses = [
        ClockPause(pause.started_at, pause.ended_at)
        for pause in pauses
        if (pause.ended_at is None or pause.ended_at > started)
    ]
    due = calendar.due_at(started, duration, clock_pauses, as_of=now)
    if dossier.extension_working_days:
        due = calendar.add(due, Duration(dossier.extension_working_days, DurationUnit.WORKING_DAYS))
    return due


def progress_of(dossier: Dossier, now: dt.datetime) -> Literal["in_time", "overdue"] | None:
    """In time or overdue while in progress; a paused dossier is judged at the moment its clock stopped."""
    if dossier.status not in IN_PROGRESS_STATUSES or dossier.due_at is None:
        return None
    judged_at = min(now, dossier.paused_since) if dossier.paused_since else now
    return "overdue" if progress(judged_at, dossier.due_at) is Progress.OVERDUE else "in_time"
