"""The catalogue's events keep a local copy of its versions; reception falls back to it when the catalogue is down."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import func, select
from standardwebhooks import Webhook

from dossier_api.config import DossierSettings
from dossier_api.main import create_app
from dossier_api.models import CatalogProcedureVersion, ProcessedEvent
from motcua_kit.db import utcnow
from motcua_kit.events.dispatcher import new_secret
from motcua_kit.events.envelope import CloudEvent, new_event_id
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, assert_problem
from motcua_kit.timezone import local_date
from tests.dossier_api.factories import dossier_payload, receive
from tests.dossier_api.fake_catalog import FakeCatalog, procedure_version
from tests.events_contract import validate_event

SECRET = new_secret()


@pytest.fixture
def dossier_app(
    dossier_database: RolledBackDatabase, dossier_settings: DossierSettings, fake_catalog: FakeCatalog
) -> FastAPI:
    """dossier-api with an inbox secret: the catalogue's dispatcher signs its events with it."""
    events = dossier_settings.events.model_copy(update={"inbox_secret": SecretStr(SECRET)})
    settings = dossier_settings.model_copy(update={"events": events})
    return create_app(settings, database=dossier_database, catalog_transport=fake_catalog.transport)


@pytest.fixture
async def client(dossier_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(dossier_app) as client:
        yield client


def today() -> dt.date:
    return local_date(utcnow())


def announced(name: str = "procedure.amended", *, event_id: str | None = None, **overrides: Any) -> CloudEvent:
    """A catalogue event, as procedure-catalog's dispatcher sends it (and as its contract says)."""
    data: dict[str, Any] = {
        **procedure_version(),
        "valid_from": (today() - dt.timedelta(days=30)).isoformat(),
        "valid_until": None,
        "announcement_number": "1234/QĐ-UBND",
    }
    data.update(overrides)
    event = CloudEvent(
        id=event_id or new_event_id(),
        source="/procedure-catalog",
        type=f"vn.motcua.{name}",
        subject=data["code"],
        time=utcnow(),
        data=data,
    )
    validate_event(event)
    return event


async def deliver(client: httpx.AsyncClient, event: CloudEvent, secret: str = SECRET) -> httpx.Response:
    body = event.to_json()
    moment = utcnow()
    headers = {
        "content-type": "application/cloudevents+json",
        "webhook-id": event.id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(secret).sign(event.id, moment, body.decode()),
    }
    return await client.post("/internal/events", content=body, headers=headers)


async def copy_of(database: RolledBackDatabase, code: str = "1.000948") -> list[tuple[int, str]]:
    async with database.transaction(write=False) as session:
        rows = await session.execute(
            select(CatalogProcedureVersion.version, CatalogProcedureVersion.status)
            .where(CatalogProcedureVersion.code == code)
            .order_by(CatalogProcedureVersion.version)
        )
        return [(int(v), str(s)) for v, s in rows.all()]


async def test_each_catalogue_event_is_applied_once(
    client: httpx.AsyncClient, dossier_database: RolledBackDatabase
) -> None:
    event = announced("procedure.published", version=1)
    first = await deliver(client, event)
    assert (first.status_code, first.json()) == (200, {"status": "applied"})
    assert (await deliver(client, event)).json() == {"status": "duplicate"}
    # Another event about the same version (the catalogue re-announced it) overwrites, never duplicates.
    assert (await deliver(client, announced("procedure.published", version=1, name_vi="Tên mới"))).json() == {
        "status": "applied"
    }
    assert (await deliver(client, announced(version=2))).json() == {"status": "applied"}
    assert await copy_of(dossier_database) == [(1, "published"), (2, "published")]
    async with dossier_database.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedEvent)) == 3
        document = await session.scalar(
            select(CatalogProcedureVersion.document).where(CatalogProcedureVersion.version == 1)
        )
    assert document is not None
    assert document["name_vi"] == "Tên mới"


async def test_an_unsigned_or_malformed_event_changes_nothing(
    client: httpx.AsyncClient, dossier_database: RolledBackDatabase
) -> None:
    assert_problem(await deliver(client, announced(), secret=new_secret()), 401, "invalid_signature")
    broken = announced()
    broken = broken.model_copy(update={"data": {**broken.data, "valid_from": "not a date", "channels": "none"}})
    problem = assert_problem(await deliver(client, broken), 422, "invalid_event_data")
    assert {"valid_from", "channels"} <= {e["field"] for e in problem["errors"]}
    assert await copy_of(dossier_database) == []
    # Nothing was marked processed: the same event, once fixed by its producer, is applied.
    assert (await deliver(client, announced(event_id=broken.id))).json() == {"status": "applied"}


async def test_reception_uses_the_local_copy_while_the_catalogue_is_down(
    client: httpx.AsyncClient, tokens: TokenFactory, fake_catalog: FakeCatalog
) -> None:
    fake_catalog.down = True
    assert_problem(
        await client.post("/api/v1/dossiers", json=dossier_payload(), headers=tokens.headers("reception_officer")),
        503,
        "catalog_unavailable",
    )
    await deliver(client, announced(version=3, valid_until=(today() - dt.timedelta(days=1)).isoformat()))
    await deliver(client, announced(version=4, valid_from=(today() - dt.timedelta(days=1)).isoformat()))
    await deliver(client, announced(version=5, valid_from=(today() + dt.timedelta(days=10)).isoformat()))
    body = await receive(client, tokens)
    # The version in force today: 4 (3 ended yesterday, 5 starts in ten days).
    assert (body["procedure"]["version"], body["procedure"]["source"]) == (4, "local_copy")
    assert body["status"] == "received"
    assert body["due_at"] is not None
    timeline = (await client.get(f"/api/v1/dossiers/{body['code']}/timeline", headers=tokens.headers("leader"))).json()
    assert timeline[0]["details"] == {"procedure_source": "local_copy", "procedure_version": 4}
    # A catalogue answering nonsense is as good as down.
    fake_catalog.down, fake_catalog.broken = False, True
    assert (await receive(client, tokens))["procedure"]["source"] == "local_copy"
    # Back up: the catalogue is the authority again.
    fake_catalog.broken = False
    body = await receive(client, tokens)
    assert (body["procedure"]["version"], body["procedure"]["source"]) == (3, "catalog")


async def test_an_abolished_procedure_is_refused_without_asking_the_catalogue(
    client: httpx.AsyncClient, tokens: TokenFactory, fake_catalog: FakeCatalog
) -> None:
    await deliver(client, announced("procedure.published", version=1))
    await deliver(
        client, announced("procedure.abolished", version=2, status="abolished", valid_from=today().isoformat())
    )
    asked = len(fake_catalog.requests)
    response = await client.post(
        "/api/v1/dossiers", json=dossier_payload(), headers=tokens.headers("reception_officer")
    )
    assert_problem(response, 422, "procedure_abolished")
    assert len(fake_catalog.requests) == asked


async def test_existing_dossiers_keep_their_snapshot(
    client: httpx.AsyncClient, tokens: TokenFactory, fake_catalog: FakeCatalog
) -> None:
    body = await receive(client, tokens)
    await deliver(client, announced(version=4, name_vi="Tên mới", valid_from=today().isoformat()))
    await deliver(
        client, announced("procedure.abolished", version=5, status="abolished", valid_from=today().isoformat())
    )
    read = (await client.get(f"/api/v1/dossiers/{body['code']}", headers=tokens.headers("leader"))).json()
    assert read["procedure"] == body["procedure"]
    assert read["procedure"]["version"] == 3
