"""Drill-down: each figure of the statistics as the dossier list that produces it.

Every count of ``GET /dossiers/stats`` comes with a link to ``GET /dossiers`` carrying the filters
that select exactly the dossiers counted, with the same conditions (``dossiers/repository.py``
holds them once, for both), so following a link gives a list whose ``total`` is the figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from urllib.parse import urlencode

from dossier_api.calendar.rules import Progress
from dossier_api.models import Channel, DossierStatus, ReturnMethod, Timeliness

LIST_PATH = "/api/v1/dossiers"
Params = Mapping[str, str | list[str]]
ON_TIME_OR_EARLY = [Timeliness.EARLY.value, Timeliness.ON_TIME.value]

_FINISHED_STATUSES = {
    "refused": DossierStatus.REFUSED,
    "withdrawn": DossierStatus.WITHDRAWN,
    "stopped": DossierStatus.STOPPED,
}


def _day(day: dt.date) -> str:
    return day.isoformat()


class DrillDown:
    """The list links of one statistics answer: its period and scope (receiving agency, procedure)."""

    def __init__(self, first: dt.date, last: dt.date, agency: str | None, procedure: str | None) -> None:
        self.first = first
        self.last = last
        self.scope: dict[str, str] = {}
        if agency is not None:
            self.scope["receiving_agency"] = agency
        if procedure is not None:
            self.scope["procedure"] = procedure

    def url(self, params: Params) -> str:
        return f"{LIST_PATH}?{urlencode({**self.scope, **params}, doseq=True)}"

    # -- the sets of dossiers the figures count -----------------------------------------------------

    def received_in(self, first: dt.date, last: dt.date) -> dict[str, str | list[str]]:
        return {"received_from": _day(first), "received_to": _day(last)}

    def carried_over(self) -> dict[str, str | list[str]]:
        """In progress when the day before the period ended."""
        day_before = _day(self.first - dt.timedelta(days=1))
        return {"received_to": day_before, "open_after": day_before}

    def resolved_in(self, first: dt.date, last: dt.date) -> dict[str, str | list[str]]:
        return {"resolved_from": _day(first), "resolved_to": _day(last)}

    def finished_in(self, first: dt.date, last: dt.date, status: DossierStatus) -> dict[str, str | list[str]]:
        return {"finished_from": _day(first), "finished_to": _day(last), "status": status.value}

    def links(self) -> dict[str, str]:
        """Figure path (as in the statistics document) -> list URL."""
        new = self.received_in(self.first, self.last)
        carried = self.carried_over()
        resolved = self.resolved_in(self.first, self.last)
        last = _day(self.last)
        params: dict[str, Params] = {
            "received.total": {"received_to": last, "open_after": _day(self.first - dt.timedelta(days=1))},
            "received.new": new,
            "received.carried_over": carried,
            "resolved.total": resolved,
            "in_progress.total": {"received_to": last, "open_after": last},
            "in_progress.in_time": {"progress": Progress.IN_TIME.value, "progress_on": last},
            "in_progress.overdue": {"progress": Progress.OVERDUE.value, "progress_on": last},
            "paid": {**new, "paid": "true"},
            "paid_online": {**new, "paid_online": "true"},
            "results_online": {**resolved, "return_method": ReturnMethod.ONLINE.value},
        }
        for channel in Channel:
            params[f"received.new_by_channel.{channel.value}"] = {**new, "channel": channel.value}
            params[f"received.carried_over_by_channel.{channel.value}"] = {**carried, "channel": channel.value}
        for label in Timeliness:
            params[f"resolved.{label.value}"] = {**resolved, "timeliness": label.value}
        params["resolved.on_time_or_early"] = {**resolved, "timeliness": ON_TIME_OR_EARLY}
        for name, status in _FINISHED_STATUSES.items():
            params[name] = self.finished_in(self.first, self.last, status)
        return {path: self.url(values) for path, values in params.items()}

    def month_links(self, month: str) -> dict[str, str]:
        """The links of one row of the monthly series (``YYYY-MM``), clipped to the period."""
        year, number = int(month[:4]), int(month[5:7])
        start = dt.date(year, number, 1)
        following = dt.date(year + 1, 1, 1) if number == 12 else dt.date(year, number + 1, 1)
        first, last = max(self.first, start), min(self.last, following - dt.timedelta(days=1))
        resolved = self.resolved_in(first, last)
        params: dict[str, Params] = {"received": self.received_in(first, last), "resolved": resolved}
        for label in Timeliness:
            params[label.value] = {**resolved, "timeliness": label.value}
        params["on_time_or_early"] = {**resolved, "timeliness": ON_TIME_OR_EARLY}
        for name in ("refused", "withdrawn"):
            params[name] = self.finished_in(first, last, _FINISHED_STATUSES[name])
        return {name: self.url(values) for name, values in params.items()}
