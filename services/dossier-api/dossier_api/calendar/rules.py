"""Named day-granularity rules on the working-day calendar (domain brief, "Dossier lifecycle")."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from dossier_api.calendar.engine import WorkingCalendar
from motcua_kit.timezone import local_date

SUPPLEMENT_WINDOW_WORKING_DAYS = 3


class Timeliness(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class Progress(StrEnum):
    IN_TIME = "in_time"
    OVERDUE = "overdue"


def timeliness(finished_at: dt.datetime, due_at: dt.datetime) -> Timeliness:
    """Early, on time or late: the finishing day against the due day, in Vietnam.

    "Compare the finishing date with the due date, at day granularity: before = early, same day =
    on time, after = late." A dossier due at 10:00 and resolved at 16:00 the same day is on time.
    """
    finished, due = local_date(finished_at), local_date(due_at)
    if finished < due:
        return Timeliness.EARLY
    if finished == due:
        return Timeliness.ON_TIME
    return Timeliness.LATE


def progress(now: dt.datetime, due_at: dt.datetime) -> Progress:
    """In time or overdue, for a dossier still in progress, on the same day granularity.

    A dossier is overdue from the day after its due day: until the due day ends it can still be
    resolved on time, so calling it overdue earlier would contradict :func:`timeliness`.
    """
    return Progress.OVERDUE if local_date(now) > local_date(due_at) else Progress.IN_TIME


def supplement_deadline(received_at: dt.datetime, calendar: WorkingCalendar) -> dt.date:
    """The last day on which processing may ask for a supplement: the 3rd working day after reception.

    The domain brief and Decree 61/2018/NĐ-CP: the request is sent "within 3 working days of
    reception" (Decree 118/2025/NĐ-CP replaced that decree in 2025; we did not check its wording).
    As in the Civil Code (Art. 147), the day of reception is not counted and the period ends with
    its last day.
    """
    return calendar.nth_working_day_after(local_date(received_at), SUPPLEMENT_WINDOW_WORKING_DAYS)


def supplement_allowed(received_at: dt.datetime, now: dt.datetime, calendar: WorkingCalendar) -> bool:
    """A supplement may be requested within 3 working days of reception (see :func:`supplement_deadline`)."""
    return now >= received_at and local_date(now) <= supplement_deadline(received_at, calendar)
