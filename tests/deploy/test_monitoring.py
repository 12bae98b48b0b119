"""Alert rules and the dashboard: well formed, and every metric they read is one the code exposes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import DEPLOY

MONITORING = DEPLOY / "monitoring"
ROOT = DEPLOY.parent
SOURCES = [ROOT / "libs", ROOT / "services", ROOT / "gateway"]
PROMQL_FUNCTIONS_AND_WORDS = {"by", "on", "and", "or", "unless", "offset", "le", "without"}


def exposed_metric_names() -> set[str]:
    """Names the code registers (Counter/Histogram/scrape_gauge/counter calls with a literal name)."""
    names: set[str] = set()
    pattern = re.compile(r'(?:Counter|Histogram|Gauge|counter|scrape_gauge)\(\s*"([a-z_:][a-z0-9_:]*)"')
    for source in SOURCES:
        for path in source.rglob("*.py"):
            names |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def series_in(expr: str) -> set[str]:
    """Metric names an expression reads (motcua_*, http_* and up), without PromQL keywords or labels."""
    candidates = set(re.findall(r"\b((?:motcua|http)_[a-z0-9_]+|up)\b(?=\s*[{\[)\s]|$)", expr))
    return candidates - PROMQL_FUNCTIONS_AND_WORDS


def known(name: str, exposed: set[str]) -> bool:
    # A histogram `x` exposes x_bucket, x_sum, x_count; a counter `x_total` is registered as such.
    base = re.sub(r"_(bucket|sum|count)$", "", name)
    return name == "up" or name in exposed or base in exposed


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((MONITORING / "alerts.yaml").read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_alert_rules_are_well_formed() -> None:
    document = yaml.safe_load((MONITORING / "alerts.yaml").read_text(encoding="utf-8"))
    assert set(document) == {"groups"}
    names = [group["name"] for group in document["groups"]]
    assert len(names) == len(set(names))
    alerts = rules()
    assert len({r["alert"] for r in alerts}) == len(alerts)
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for rule in alerts:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert re.fullmatch(r"\d+[smhd]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        anchor = rule["annotations"]["runbook"].split("#", 1)[1]
        assert f'<a id="{anchor}"></a>' in guide, anchor


def test_alerts_cover_the_domain() -> None:
    read = set().union(*(series_in(r["expr"]) for r in rules()))
    for metric in (
        "motcua_dossiers_received_total",
        "motcua_dossiers_overdue",
        "motcua_event_deliveries",
        "motcua_gateway_upstream_errors_total",
    ):
        assert metric in read, metric


def test_rules_and_dashboard_read_only_exposed_metrics() -> None:
    exposed = exposed_metric_names()
    assert {"http_requests_total", "motcua_dossiers_overdue", "motcua_event_deliveries"} <= exposed
    exprs = [r["expr"] for r in rules()]
    dashboard = json.loads((MONITORING / "dashboard.json").read_text(encoding="utf-8"))
    exprs += [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    for expr in exprs:
        for name in series_in(expr):
            assert known(name, exposed), (name, expr)


def test_dashboard_is_a_grafana_dashboard() -> None:
    dashboard = json.loads((MONITORING / "dashboard.json").read_text(encoding="utf-8"))
    assert dashboard["uid"] == "motcua-overview"
    assert dashboard["timezone"] == "Asia/Ho_Chi_Minh"
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"])
        assert all(t["expr"].strip() for t in panel["targets"])


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_rules(tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - a fixed command on our own file
        [str(shutil.which("promtool")), "check", "rules", str(MONITORING / "alerts.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
