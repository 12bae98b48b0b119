"""The demo catalogue `make run` loads: full bilingual records and a history of decisions."""

from __future__ import annotations

import httpx

from motcua_kit.testing import RolledBackDatabase
from procedure_catalog.demo import seed_demo


async def test_demo_catalogue_is_loaded_once_with_its_history(
    client: httpx.AsyncClient, catalog_database: RolledBackDatabase
) -> None:
    outcome = await seed_demo(catalog_database)
    assert outcome == "18 procedures loaded (13 in force) through 5 announcement decisions"
    assert await seed_demo(catalog_database) == "already loaded"

    listed = (await client.get("/api/v1/procedures", params={"size": 100})).json()
    assert listed["total"] == 13
    assert all(p["name_vi"] and p["name_en"] and p["status"] == "published" for p in listed["items"])
    assert (await client.get("/api/v1/procedures", params={"status": "abolished"})).json()["total"] == 5

    decisions = (await client.get("/api/v1/announcements")).json()
    assert decisions["total"] == 5
    assert {d["signed_on"][:4] for d in decisions["items"]} == {"2012", "2015", "2017", "2019", "2022"}

    abtc = (await client.get("/api/v1/procedures/1.000948", headers={"Accept-Language": "en"})).json()
    assert abtc["name"] == "Permission to use the APEC Business Travel Card (ABTC)"
    assert abtc["online_level"] == "full"
    assert abtc["agency_code"] == "SNGV"
    assert abtc["documents"]
    assert abtc["legal_basis"]
    assert abtc["steps"]
    versions = (await client.get("/api/v1/procedures/1.000948/versions")).json()
    assert [v["action"] for v in versions] == ["create", "amend", "amend", "amend"]

    consular = (await client.get("/api/v1/procedures/1.003131")).json()
    assert {c["channel"] for c in consular["channels"]} == {"in_person", "online", "postal"}
    assert consular["channels"][0]["fees"][0]["amount_vnd"] == 30000


async def test_demo_statistics_match_the_department_report(
    client: httpx.AsyncClient, catalog_database: RolledBackDatabase
) -> None:
    await seed_demo(catalog_database)
    end_2020 = (await client.get("/api/v1/procedures/stats", params={"at": "2020-12-31"})).json()
    # "8 of 13 procedures online at level 3"
    assert end_2020["in_force"] == 13
    assert end_2020["by_legacy_online_level"]["3"] == 8
    assert end_2020["online_submission_legacy"] == 8
    assert end_2020["by_status"] == {"published": 13, "abolished": 5}
    assert end_2020["announcements"] == {"decisions": 4, "created": 18, "amended": 11, "abolished": 5}
    start_2013 = (await client.get("/api/v1/procedures/stats", params={"at": "2013-01-01"})).json()
    assert (start_2013["in_force"], start_2013["by_legacy_online_level"]["3"]) == (16, 0)
