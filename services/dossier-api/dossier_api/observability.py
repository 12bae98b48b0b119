"""dossier-api's domain metrics: dossiers received (a counter), dossiers overdue now (a gauge read at scrape).

``motcua_dossiers_received_total{agency, channel}`` counts receptions in this process: sum it over
replicas (``sum(rate(...))``). ``motcua_dossiers_overdue{agency}`` and
``motcua_dossiers_in_progress{agency}`` are read from the database when Prometheus scrapes, at most
every 30 s: every replica reports the same figure, so take ``max`` over replicas. Labels stay small
on purpose: an agency code and a channel, never a procedure code or a dossier code.

The queries are passed in (the repository owns the SQL): each returns ``{agency_code: count}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping

from fastapi import FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_kit.db import Database, utcnow
from motcua_kit.metrics import AppMetrics, GaugeValues

CountByAgency = Callable[[AsyncSession, dt.datetime], Awaitable[Mapping[str, int]]]

SAMPLE_INTERVAL_SECONDS = 30.0


class DossierMetrics:
    def __init__(
        self,
        metrics: AppMetrics,
        database: Database,
        *,
        overdue_by_agency: CountByAgency,
        in_progress_by_agency: CountByAgency,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._received = metrics.counter(
            "motcua_dossiers_received_total",
            "Dossiers received (validly, the clock started), by receiving agency and channel.",
            ["agency", "channel"],
        )

        def sampler(count: CountByAgency) -> Callable[[], Awaitable[GaugeValues]]:
            async def sample() -> GaugeValues:
                async with database.transaction(write=False) as session:
                    counts = await count(session, clock())
                return {(agency,): float(n) for agency, n in counts.items()}

            return sample

        metrics.scrape_gauge(
            "motcua_dossiers_overdue",
            "Dossiers in progress past their due day (Vietnam days), by agency, now.",
            sampler(overdue_by_agency),
            labelnames=["agency"],
            min_interval_seconds=SAMPLE_INTERVAL_SECONDS,
        )
        metrics.scrape_gauge(
            "motcua_dossiers_in_progress",
            "Dossiers received and not finished, by agency, now.",
            sampler(in_progress_by_agency),
            labelnames=["agency"],
            min_interval_seconds=SAMPLE_INTERVAL_SECONDS,
        )

    def dossier_received(self, agency: str, channel: str) -> None:
        """Count one reception (call it once the reception is decided, in the service layer)."""
        self._received.labels(agency, channel).inc()


def install_dossier_metrics(
    app: FastAPI, database: Database, *, overdue_by_agency: CountByAgency, in_progress_by_agency: CountByAgency
) -> DossierMetrics:
    """Register the metrics on the app's registry and keep them on ``app.state.dossier_metrics``."""
    dossier_metrics = DossierMetrics(
        app.state.metrics,
        database,
        overdue_by_agency=overdue_by_agency,
        in_progress_by_agency=in_progress_by_agency,
    )
    app.state.dossier_metrics = dossier_metrics
    return dossier_metrics


def dossier_metrics(request: Request) -> DossierMetrics | None:
    """The app's dossier metrics, or None in an app built without them (some tests)."""
    found: DossierMetrics | None = getattr(request.app.state, "dossier_metrics", None)
    return found
