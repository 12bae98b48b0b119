"""Prometheus metrics. Each application has its own registry, exposed at ``/metrics``.

Besides the HTTP metrics every service gets, a service registers its domain metrics on the same
registry (``app.state.metrics``):

- :meth:`AppMetrics.counter` for things that happen (a dossier received, an upstream failing):
  counted in the process, so a dashboard sums them over the replicas;
- :meth:`AppMetrics.scrape_gauge` for states read from the database when Prometheus scrapes
  (dossiers overdue now, deliveries failing): each replica reports the same figure, so a
  dashboard takes ``max`` over the replicas. The value is computed by an async function at most
  once per ``min_interval_seconds`` and within a time limit; a failing or slow computation drops
  the gauge from that scrape (an absent series, which alerts can see) and counts the failure in
  ``motcua_metrics_sampler_errors_total``, so a broken query never breaks ``/metrics`` itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from motcua_kit.logging import get_logger

log = get_logger("motcua.metrics")

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# A label set (in the order of the gauge's label names) and its value. A gauge without labels
# returns ``{(): value}``.
GaugeValues = Mapping[tuple[str, ...], float]
Sampler = Callable[[], Awaitable[GaugeValues]]

SAMPLE_TIMEOUT_SECONDS = 3.0


@dataclass
class _ScrapeGauge:
    name: str
    documentation: str
    labelnames: tuple[str, ...]
    sample: Sampler
    min_interval_seconds: float
    values: GaugeValues | None = None
    sampled_at: float = field(default=-float("inf"))


class _ScrapeGauges(Collector):
    """Exposes the last values the samplers returned (``refresh`` runs them before each scrape)."""

    def __init__(self) -> None:
        self.gauges: dict[str, _ScrapeGauge] = {}

    def collect(self) -> list[GaugeMetricFamily]:
        families: list[GaugeMetricFamily] = []
        for gauge in self.gauges.values():
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=gauge.labelnames)
            for labels, value in (gauge.values or {}).items():
                family.add_metric(list(labels), value)
            families.append(family)
        return families

    def describe(self) -> list[GaugeMetricFamily]:
        # Describing without sampling keeps registration free of I/O (and of duplicate checks on values).
        return [GaugeMetricFamily(g.name, g.documentation, labels=g.labelnames) for g in self.gauges.values()]


class AppMetrics:
    """One application's registry: HTTP request counts and latencies, and the service's domain metrics.

    HTTP metrics are labelled by route template, never by raw path (codes would explode it).
    """

    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.service = service
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests answered.",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["service", "method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.sampler_errors = Counter(
            "motcua_metrics_sampler_errors_total",
            "Scrape-time gauges that could not be computed (query failed or was too slow).",
            ["service", "gauge"],
            registry=self.registry,
        )
        self._gauges = _ScrapeGauges()
        self.registry.register(self._gauges)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(self.service, method, route, str(status)).inc()
        self.latency.labels(self.service, method, route).observe(seconds)

    def counter(self, name: str, documentation: str, labelnames: Sequence[str] = ()) -> Counter:
        """A domain counter on this application's registry (name it ``motcua_<what>_total``)."""
        return Counter(name, documentation, list(labelnames), registry=self.registry)

    def scrape_gauge(
        self,
        name: str,
        documentation: str,
        sample: Sampler,
        *,
        labelnames: Sequence[str] = (),
        min_interval_seconds: float = 15.0,
    ) -> None:
        """A gauge whose values ``sample()`` computes when Prometheus scrapes (at most once per interval)."""
        if name in self._gauges.gauges:
            raise ValueError(f"the scrape gauge {name!r} is already registered")
        self._gauges.gauges[name] = _ScrapeGauge(
            name, documentation, tuple(labelnames), sample, max(0.0, min_interval_seconds)
        )

    async def refresh(self, *, now: float | None = None) -> None:
        """Run the samplers whose values are older than their interval, concurrently, each with a time limit."""
        moment = time.monotonic() if now is None else now
        due = [g for g in self._gauges.gauges.values() if moment - g.sampled_at >= g.min_interval_seconds]
        if due:
            await asyncio.gather(*(self._sample(gauge, moment) for gauge in due))

    async def _sample(self, gauge: _ScrapeGauge, moment: float) -> None:
        try:
            values = await asyncio.wait_for(gauge.sample(), SAMPLE_TIMEOUT_SECONDS)
            checked = {tuple(str(part) for part in labels): float(value) for labels, value in values.items()}
            if any(len(labels) != len(gauge.labelnames) for labels in checked):
                raise ValueError(f"{gauge.name}: a label set does not match {gauge.labelnames}")
        except Exception as exc:  # a broken sampler costs its own series, never the whole /metrics
            log.warning("metrics sampler failed", gauge=gauge.name, error=type(exc).__name__)
            self.sampler_errors.labels(self.service, gauge.name).inc()
            gauge.values = None
            gauge.sampled_at = -float("inf")  # try again at the next scrape
            return
        gauge.values = checked
        gauge.sampled_at = moment


async def metrics_endpoint(request: Request) -> Response:
    metrics: AppMetrics = request.app.state.metrics
    await metrics.refresh()
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
