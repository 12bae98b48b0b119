"""The overview checked figure by figure against an independent count of a known history.

The history (catalogue decisions over 2019-2024, dossiers over 2021-2023, survey responses over
2021-2023) is loaded through the gateway's public API into the real service applications; the
expected figures are counted in Python from what was sent (``report_history.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from motcua_kit.testing import TokenFactory
from tests.gateway.report_history import (
    CATALOGUE_ALL,
    CATALOGUE_SNGV,
    dossier_figures,
    dossier_months,
    load_catalogue,
    load_dossiers,
    load_evaluations,
    make_dossiers,
    make_evaluations,
    satisfaction_figures,
    satisfaction_months,
)

FIRST, LAST = dt.date(2022, 1, 1), dt.date(2023, 6, 30)


def counts(section: dict[str, Any], prefix: str = "") -> dict[str, int]:
    """Every ``{"value", "list"}`` of a section, by its dotted path."""
    found: dict[str, int] = {}
    for key, value in section.items():
        if isinstance(value, dict) and set(value) == {"value", "list"}:
            found[prefix + key] = value["value"]
        elif isinstance(value, dict):
            found.update(counts(value, f"{prefix}{key}."))
    return found


def links(document: Any) -> list[tuple[int, str]]:
    """Every dossier count of a document with its list."""
    if isinstance(document, dict):
        if set(document) == {"value", "list"}:
            return [(document["value"], document["list"])]
        return [pair for value in document.values() for pair in links(value)]
    if isinstance(document, list):
        return [pair for value in document for pair in links(value)]
    return []


@pytest.mark.parametrize("agency", [None, "SNGV"])
async def test_every_figure_of_the_overview_matches_an_independent_count(
    gateway: httpx.AsyncClient, tokens: TokenFactory, agency: str | None
) -> None:
    await load_catalogue(gateway, tokens)
    dossiers = make_dossiers(260)
    await load_dossiers(gateway, tokens, dossiers)
    evaluations = make_evaluations(120)
    await load_evaluations(gateway, tokens, evaluations)

    params = {"from": FIRST.isoformat(), "to": LAST.isoformat(), **({"agency": agency} if agency else {})}
    response = await gateway.get("/api/v1/reports/overview", params=params, headers=tokens.headers("reporter"))
    assert response.status_code == 200, response.text
    overview = response.json()
    assert (overview["complete"], overview["missing"], overview["source"]) == (True, [], "live")
    assert overview["period"] == {"from": "2022-01-01", "to": "2023-06-30"}

    catalogue = {k: v for k, v in overview["catalogue"].items() if k != "as_of"}
    assert catalogue == (CATALOGUE_SNGV if agency else CATALOGUE_ALL)
    assert overview["catalogue"]["as_of"] == "2023-06-30"

    scoped = [d for d in dossiers if agency is None or d.agency == agency]
    expected = dossier_figures(scoped, FIRST, LAST)
    assert expected["received.new"] > 50, "the history is not trivial"
    assert counts(overview["dossiers"]) == expected
    section = overview["dossiers"]

    def share(part: str, whole: str) -> float | None:
        return round(expected[part] / expected[whole], 4) if expected[whole] else None

    assert section["resolved"]["on_time_or_early_share"] == share("resolved.on_time_or_early", "resolved.total")
    assert section["online_share"] == share("received.new_by_channel.online", "received.new")
    assert section["postal_share"] == share("received.new_by_channel.postal", "received.new")
    assert section["paid_online_share"] == share("paid_online", "paid")
    assert section["results_online_share"] == share("results_online", "resolved.total")

    satisfaction = satisfaction_figures(evaluations, FIRST, LAST, agency)
    assert satisfaction["responses"] > 30, "the history is not trivial"
    assert overview["satisfaction"] == satisfaction

    months = dossier_months(scoped, FIRST, LAST)
    survey = satisfaction_months(evaluations, list(months), agency)
    assert [m["month"] for m in overview["monthly"]] == list(months)
    for row in overview["monthly"]:
        figures = {k: row[k]["value"] for k in ("received", "resolved", "on_time_or_early", "late")}
        assert figures == months[row["month"]], row["month"]
        assert {k: row[k] for k in ("responses", "satisfied", "satisfied_share")} == survey[row["month"]]

    # Drill-down: every dossier figure's list, through the gateway, has that many dossiers.
    reporter = tokens.headers("reporter")
    pairs = links(overview)
    assert len(pairs) == len(expected) + 4 * len(months)
    for value, url in pairs:
        listed = await gateway.get(url, headers=reporter)
        assert listed.status_code == 200, listed.text
        assert listed.json()["total"] == value, url
