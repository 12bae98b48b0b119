"""dossier-api's domain metrics on its /metrics: receptions counted, overdue and in-progress read at scrape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import httpx
from fastapi import FastAPI
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from dossier_api.models import Dossier
from dossier_api.observability import DossierMetrics
from motcua_kit.db import Database
from motcua_kit.metrics import AppMetrics
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client
from tests.dossier_api.factories import receive


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


async def test_metrics_show_receptions_and_states(
    committing_app: FastAPI, committing_database: Database, tokens: TokenFactory
) -> None:
    # The gauges are sampled concurrently, each in its own transaction: a real engine, not one connection.
    async with api_client(committing_app) as client:
        await _scrape_after_receptions(client, tokens, committing_database)


async def _scrape_after_receptions(client: httpx.AsyncClient, tokens: TokenFactory, database: Database) -> None:
    await receive(client, tokens)
    await receive(client, tokens, channel="postal", result_return={"method": "in_person"})
    overdue = await receive(client, tokens)
    await receive(client, tokens, reception={"decision": "refuse", "reason": "Không đúng thẩm quyền"})
    await receive(client, tokens, channel="online", role="citizen")  # registered: not received yet
    async with database.transaction() as session:
        await session.execute(
            update(Dossier)
            .where(Dossier.code == overdue["code"])
            .values(due_at=dt.datetime(2020, 1, 2, 3, tzinfo=dt.UTC), version=Dossier.version + 1)
        )
    response = await client.get("/metrics")
    assert response.status_code == 200
    text = response.text
    # Only valid receptions count (the clock started): not the refused one, not the registered one.
    assert samples(text, "motcua_dossiers_received_total") == {
        (("agency", "SNGV"), ("channel", "in_person")): 2.0,
        (("agency", "SNGV"), ("channel", "postal")): 1.0,
    }
    assert samples(text, "motcua_dossiers_in_progress") == {(("agency", "SNGV"),): 3.0}
    assert samples(text, "motcua_dossiers_overdue") == {(("agency", "SNGV"),): 1.0}
    # The outbox's backlog is there too: nothing owed, since nobody subscribed.
    assert samples(text, "motcua_event_deliveries") == {}
    # HTTP metrics are still there, labelled by route template.
    assert any(dict(labels).get("route") == "/api/v1/dossiers" for labels in samples(text, "http_requests_total"))


async def test_a_failing_query_does_not_break_metrics(dossier_database: RolledBackDatabase) -> None:
    async def broken(_session: AsyncSession, _now: dt.datetime) -> Mapping[str, int]:
        raise RuntimeError("relation does not exist")

    async def one(_session: AsyncSession, _now: dt.datetime) -> Mapping[str, int]:
        return {"SNGV": 1}

    metrics = AppMetrics("dossier-api")
    DossierMetrics(metrics, dossier_database, overdue_by_agency=broken, in_progress_by_agency=one)
    await metrics.refresh()
    text = generate_latest(metrics.registry).decode()
    assert samples(text, "motcua_dossiers_overdue") == {}
    assert samples(text, "motcua_dossiers_in_progress") == {(("agency", "SNGV"),): 1.0}
    errors = samples(text, "motcua_metrics_sampler_errors_total")
    assert errors == {(("gauge", "motcua_dossiers_overdue"), ("service", "dossier-api")): 1.0}
