"""dossier-api's domain metrics on its /metrics: receptions counted, overdue and in-progress read at scrape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dossier_api.models import Dossier
from dossier_api.observability import install_dossier_metrics
from motcua_kit.testing import TokenFactory, api_client
from tests.dossier_api.factories import dossier_payload


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


async def dossiers_by_agency(session: AsyncSession, _now: dt.datetime) -> Mapping[str, int]:
    rows = await session.execute(select(Dossier.agency_code, func.count()).group_by(Dossier.agency_code))
    return {str(agency): int(count) for agency, count in rows.all()}


async def none_overdue(_session: AsyncSession, _now: dt.datetime) -> Mapping[str, int]:
    return {}


async def test_metrics_show_receptions_and_states(dossier_app: FastAPI, tokens: TokenFactory) -> None:
    metrics = install_dossier_metrics(
        dossier_app,
        dossier_app.state.database,
        overdue_by_agency=none_overdue,
        in_progress_by_agency=dossiers_by_agency,
    )
    async with api_client(dossier_app) as client:
        created = await client.post(
            "/api/v1/dossiers", json=dossier_payload(), headers=tokens.headers("reception_officer")
        )
        assert created.status_code == 201
        metrics.dossier_received("SNGV", "in_person")
        metrics.dossier_received("SNGV", "in_person")
        metrics.dossier_received("SNGV", "online")
        response = await client.get("/metrics")
    assert response.status_code == 200
    text = response.text
    assert samples(text, "motcua_dossiers_received_total") == {
        (("agency", "SNGV"), ("channel", "in_person")): 2.0,
        (("agency", "SNGV"), ("channel", "online")): 1.0,
    }
    assert samples(text, "motcua_dossiers_in_progress") == {(("agency", "SNGV"),): 1.0}
    assert samples(text, "motcua_dossiers_overdue") == {}
    # HTTP metrics are still there, labelled by route template.
    assert any(dict(labels).get("route") == "/api/v1/dossiers" for labels in samples(text, "http_requests_total"))


async def test_a_failing_query_does_not_break_metrics(dossier_app: FastAPI) -> None:
    async def broken(_session: AsyncSession, _now: dt.datetime) -> Mapping[str, int]:
        raise RuntimeError("relation does not exist")

    install_dossier_metrics(
        dossier_app, dossier_app.state.database, overdue_by_agency=broken, in_progress_by_agency=dossiers_by_agency
    )
    async with api_client(dossier_app) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert samples(response.text, "motcua_dossiers_overdue") == {}
    errors = samples(response.text, "motcua_metrics_sampler_errors_total")
    assert errors == {(("gauge", "motcua_dossiers_overdue"), ("service", "dossier-api")): 1.0}
