"""The gateway's domain metrics: upstream errors by code, 429s by budget, open circuits."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from motcua_gateway.config import GatewaySettings
from motcua_gateway.main import create_app
from motcua_gateway.observability import install_gateway_metrics
from motcua_kit.testing import TokenFactory, api_client


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


async def test_upstream_errors_rate_limits_and_circuits(tokens: TokenFactory) -> None:
    app = create_app(GatewaySettings(_env_file=None, environment="test", auth=tokens.auth_settings()))
    circuits = {"catalog": False, "dossier": True}
    metrics = install_gateway_metrics(app, circuits_open=lambda: circuits)
    metrics.upstream_error("dossier", "upstream_timeout")
    metrics.upstream_error("dossier", "upstream_timeout")
    metrics.upstream_error("catalog", "something_new")  # an unknown code cannot grow the label set
    metrics.rate_limited("lookup")
    async with api_client(app) as client:
        text = (await client.get("/metrics")).text
    assert samples(text, "motcua_gateway_upstream_errors_total") == {
        (("code", "upstream_timeout"), ("upstream", "dossier")): 2.0,
        (("code", "bad_gateway"), ("upstream", "catalog")): 1.0,
    }
    assert samples(text, "motcua_gateway_rate_limited_total") == {(("budget", "lookup"),): 1.0}
    assert samples(text, "motcua_gateway_circuit_open") == {
        (("upstream", "catalog"),): 0.0,
        (("upstream", "dossier"),): 1.0,
    }
