"""The gateway's domain metrics: what its upstreams and its budgets are doing.

- ``motcua_gateway_upstream_errors_total{upstream, code}``: calls a service could not answer
  (``upstream_unavailable``, ``upstream_timeout``, ``bad_gateway``, ``circuit_open``);
- ``motcua_gateway_rate_limited_total{budget}``: calls refused with 429, per budget;
- ``motcua_gateway_circuit_open{upstream}``: 1 while a service's circuit is open, read at scrape.

Counters are per process (sum them over replicas); the circuit gauge is per replica too, since
each replica has its own breakers (``max`` says "open somewhere").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from motcua_kit.metrics import AppMetrics, GaugeValues

UPSTREAM_ERROR_CODES = frozenset({"upstream_unavailable", "upstream_timeout", "bad_gateway", "circuit_open"})


class GatewayMetrics:
    def __init__(self, metrics: AppMetrics, *, circuits_open: Callable[[], Mapping[str, bool]]) -> None:
        self._upstream_errors = metrics.counter(
            "motcua_gateway_upstream_errors_total",
            "Calls a service could not answer, by service and problem code.",
            ["upstream", "code"],
        )
        self._rate_limited = metrics.counter(
            "motcua_gateway_rate_limited_total", "Calls refused with 429, by budget.", ["budget"]
        )

        async def sample() -> GaugeValues:
            return {(name,): 1.0 if is_open else 0.0 for name, is_open in circuits_open().items()}

        metrics.scrape_gauge(
            "motcua_gateway_circuit_open",
            "1 while this replica's circuit to a service is open.",
            sample,
            labelnames=["upstream"],
            min_interval_seconds=0,
        )

    def upstream_error(self, upstream: str, code: str) -> None:
        """Count one failed call; ``code`` is the problem code the client got (bounded set)."""
        self._upstream_errors.labels(upstream, code if code in UPSTREAM_ERROR_CODES else "bad_gateway").inc()

    def rate_limited(self, budget: str) -> None:
        self._rate_limited.labels(budget).inc()
