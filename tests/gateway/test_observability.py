"""The gateway's domain metrics: upstream errors by code, 429s by budget, open circuits."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from motcua_gateway.config import GatewaySettings
from motcua_gateway.main import create_app
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
    metrics = app.state.gateway_metrics
    metrics.upstream_error("dossier", "upstream_timeout")
    metrics.upstream_error("dossier", "upstream_timeout")
    metrics.upstream_error("catalog", "something_new")  # an unknown code cannot grow the label set
    metrics.rate_limited("lookup")
    async with api_client(app) as client:
        assert (await client.get("/metrics")).status_code == 401  # not public
        text = (await client.get("/metrics", headers=tokens.headers("integration"))).text
    assert samples(text, "motcua_gateway_upstream_errors_total") == {
        (("code", "upstream_timeout"), ("upstream", "dossier")): 2.0,
        (("code", "bad_gateway"), ("upstream", "catalog")): 1.0,
    }
    assert samples(text, "motcua_gateway_rate_limited_total") == {(("budget", "lookup"),): 1.0}
    # The real breakers of the three services, all closed.
    assert samples(text, "motcua_gateway_circuit_open") == {
        (("upstream", "procedure-catalog"),): 0.0,
        (("upstream", "dossier-api"),): 0.0,
        (("upstream", "satisfaction-survey"),): 0.0,
    }


async def test_real_failures_and_refusals_are_counted(tokens: TokenFactory) -> None:
    settings = GatewaySettings(
        _env_file=None,
        environment="test",
        auth=tokens.auth_settings(),
        catalog={"url": "http://127.0.0.1:9", "retries": 0},  # nothing listens on the discard port
        rate_limits={"lookup": "1/minute"},
    )
    app = create_app(settings)
    async with api_client(app) as client:
        assert (await client.get("/api/v1/procedures")).status_code == 503
        assert (await client.get("/api/v1/tracking/SNGV-260101-0001?secret=x")).status_code in {404, 503}
        assert (await client.get("/api/v1/tracking/SNGV-260101-0002?secret=x")).status_code == 429
        text = (await client.get("/metrics", headers=tokens.headers("integration"))).text
    errors = samples(text, "motcua_gateway_upstream_errors_total")
    assert errors[(("code", "upstream_unavailable"), ("upstream", "procedure-catalog"))] == 1.0
    assert samples(text, "motcua_gateway_rate_limited_total") == {(("budget", "lookup"),): 1.0}
