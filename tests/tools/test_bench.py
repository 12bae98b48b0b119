"""The benchmark page's rules: every table needs its baseline, and a partial re-run replaces only its sections."""

from __future__ import annotations

from typing import Literal

from bench.__main__ import render, update
from bench.harness import Measurement, Table

Compare = Literal["throughput", "median"]


def table(title: str, *, baseline: str = "base", errors: int = 0, compare: Compare = "throughput") -> Table:
    rows = [
        Measurement("base", [0.010, 0.010, 0.012], elapsed=1.0),
        Measurement("row", [0.020, 0.020, 0.030], elapsed=2.0, errors=errors),
    ]
    return Table(title, "what it measures", rows=rows, baseline=baseline, compare=compare)


def test_a_table_without_its_baseline_row_or_with_failures_is_not_evidence() -> None:
    assert table("ok").problems() == []
    assert table("orphan", baseline="missing").problems() == ["orphan: no baseline row measured ('missing')"]
    assert table("failing", errors=2).problems() == ["failing / row: 2 failed operations"]


def test_ratios_are_of_throughput_or_of_medians() -> None:
    by_throughput = table("t").render()
    assert "| row | 3 | 1 | 20.00 |" in by_throughput
    assert "| 2 | 0.50x |" in by_throughput  # 1.5 ops/s against 3 ops/s
    by_median = table("m", compare="median").render()
    assert "| 2.00x |" in by_median  # 20 ms against 10 ms
    assert "median latency over the baseline's" in by_median


def test_update_replaces_only_the_scenarios_run_and_dates_them() -> None:
    page = render([("alpha", [table("Alpha v1")]), ("beta", [table("Beta v1")])], False, "load 1.00", [])
    updated = update(page, [("alpha", [table("Alpha v2")])], "load 2.00")
    assert "### Alpha v2" in updated
    assert "### Alpha v1" not in updated
    assert "### Beta v1" in updated
    assert "Re-measured alone with `--update`" in updated.split("## beta")[0]
    assert updated.index("## alpha") < updated.index("## beta")
    appended = update(page, [("gamma", [table("Gamma")])], "load 2.00")
    assert appended.index("## beta") < appended.index("## gamma")
