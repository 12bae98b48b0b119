from __future__ import annotations

import httpx

from motcua_kit.testing import RolledBackDatabase
from procedure_catalog.demo import DEMO_PROCEDURES, seed_demo


async def test_demo_catalogue_is_bilingual_and_loaded_once(
    client: httpx.AsyncClient, catalog_database: RolledBackDatabase
) -> None:
    assert await seed_demo(catalog_database) == "13 procedures loaded"
    assert await seed_demo(catalog_database) == "already loaded"
    listed = (await client.get("/api/v1/procedures", params={"size": 100})).json()
    assert listed["total"] == len(DEMO_PROCEDURES) == 13
    assert all(p["name_vi"] and p["name_en"] and p["status"] == "published" for p in listed["items"])
