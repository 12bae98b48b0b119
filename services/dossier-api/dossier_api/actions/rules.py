"""Named rules of processing (domain brief, "Dossier lifecycle"). Each raises its own problem code."""

from __future__ import annotations

import datetime as dt

from dossier_api.calendar.engine import WorkingCalendar
from dossier_api.calendar.rules import supplement_allowed
from dossier_api.models import Dossier
from motcua_kit.errors import Conflict, UnprocessableContent


def require_single_supplement(previous_requests: int) -> None:
    """A supplement is requested once, listing everything missing in full."""
    if previous_requests:
        raise UnprocessableContent(
            "A supplement was already requested for this dossier; it is asked once, listing every missing item.",
            code="second_supplement",
        )


def require_supplement_in_time(received_at: dt.datetime, now: dt.datetime, calendar: WorkingCalendar) -> None:
    """During processing a supplement may be requested only within 3 working days of reception."""
    if not supplement_allowed(received_at, now, calendar):
        raise UnprocessableContent(
            "A supplement can be requested only within 3 working days of reception.",
            code="supplement_too_late",
        )


def require_reschedule_allowed(dossier: Dossier, now: dt.datetime) -> None:
    """The agency apologises and sets a new date before the due date, and only once."""
    if dossier.rescheduled_at is not None:
        raise UnprocessableContent("A dossier may be rescheduled only once.", code="second_reschedule")
    if dossier.due_at is None or now >= dossier.due_at:
        raise UnprocessableContent(
            "The apology and new appointment must come before the due date.", code="reschedule_after_due"
        )


def require_share_within_deadline(share_due: dt.datetime, dossier_due: dt.datetime | None) -> None:
    """An agency's share of an inter-agency dossier must end by the dossier's own due date."""
    if dossier_due is not None and share_due > dossier_due:
        raise UnprocessableContent(
            "That share of the deadline would end after the dossier's due date.", code="share_exceeds_deadline"
        )


def require_not_paused(dossier: Dossier) -> None:
    """While the clock is stopped by a pause, only resume, withdraw and stop are possible."""
    if dossier.paused_since is not None:
        raise Conflict("The dossier is paused; resume it first.", code="dossier_paused")


def require_result_date_plausible(result_date: dt.date, received_on: dt.date | None, today: dt.date) -> None:
    """The result document is dated between reception and today."""
    if result_date > today or (received_on is not None and result_date < received_on):
        raise UnprocessableContent(
            "The result date must fall between reception and today.", code="implausible_result_date"
        )
