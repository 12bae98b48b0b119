"""A whole story through the gateway, with every real process: gateway, three services, their
dispatchers and the fake national portal (the launcher's stack), on SQLite and on PostgreSQL.

A procedure is announced; a dossier for it is received, supplemented, transferred to another agency
and back, rescheduled with an apology, resolved and returned by post; its survey invitation comes
from the dossier's event and is answered online; the national portal ends up holding the returned
dossier and its steps; the overview counts it all.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from motcua_kit.devtokens import load_or_create_dev_keys
from motcua_kit.testing import TokenFactory, fresh_database_url
from motcua_kit.timezone import VIETNAM
from tests.e2e.polling import eventually
from tests.e2e.test_local_stack import PROCESS_PREFIXES, free_port, own_environment
from tests.procedure_catalog.factories import Catalogue

pytestmark = pytest.mark.e2e

T = TypeVar("T")
DATABASES = {"CATALOG": "catalog", "DOSSIER": "dossier", "SURVEY": "survey", "GATEWAY": "gateway"}


class Stack:
    def __init__(self, ports: dict[str, int], var: Path) -> None:
        self.ports = ports
        self.gateway = f"http://127.0.0.1:{ports['GATEWAY']}"
        self.portal = f"http://127.0.0.1:{ports['FAKE_PORTAL']}"
        key, kid, _ = load_or_create_dev_keys(var / "dev-keys")
        self.tokens = TokenFactory(issuer="motcua-dev", audience="motcua")
        self.tokens.key, self.tokens.kid = key, kid


@pytest.fixture(scope="module")
async def stack(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    var = tmp_path_factory.mktemp(f"story-{db_backend}")
    ports = {name: free_port() for name in PROCESS_PREFIXES}
    env = own_environment()
    env.update({f"{name}_PORT": str(port) for name, port in ports.items()})
    env.update({f"{name}_LOG_LEVEL": "WARNING" for name in PROCESS_PREFIXES})
    async with AsyncExitStack() as databases:
        if db_backend == "postgresql":
            for prefix, label in DATABASES.items():
                url = await databases.enter_async_context(fresh_database_url("postgresql", f"story_{label}", var))
                env[f"{prefix}_DATABASE__URL"] = url
        log = (var / "launcher.log").open("wb")
        launcher = subprocess.Popen(  # noqa: S603, ASYNC220 - our own launcher, outliving any one await
            [sys.executable, "-m", "motcua_tools.run", "--var", str(var)], env=env, stdout=log, stderr=log
        )
        stack = Stack(ports, var)
        try:
            await eventually(lambda: ready(stack.gateway), within=180, what="the stack to be ready")
            yield stack
        finally:
            if launcher.poll() is None:
                launcher.send_signal(signal.SIGINT)
                try:
                    launcher.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    launcher.kill()
                    launcher.wait()
            log.close()


async def ready(gateway: str) -> bool:
    async with httpx.AsyncClient() as client:
        try:
            status: str = (await client.get(f"{gateway}/readyz", timeout=2)).json().get("status")
            return status == "ready"
        except (httpx.HTTPError, ValueError):
            return False


async def test_a_dossier_from_announcement_to_overview(stack: Stack) -> None:
    tokens = stack.tokens
    today = dt.datetime.now(VIETNAM).date()
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:

        async def act(code: str, action: str, body: dict[str, Any], role: str) -> dict[str, Any]:
            current = await client.get(f"/api/v1/dossiers/{code}", headers=tokens.headers("processing_officer"))
            response = await client.post(
                f"/api/v1/dossiers/{code}/{action}",
                json=body,
                headers={**tokens.headers(role), "If-Match": current.headers["etag"]},
            )
            assert response.status_code == 200, f"{action}: {response.text}"
            result: dict[str, Any] = response.json()
            return result

        # 1. A procedure announced by a decision in force today; its event reaches dossier-api.
        catalogue = Catalogue(client, tokens)
        await catalogue.reference_lists()
        procedure = await catalogue.published(effective_on=today)
        admin = tokens.headers("admin")

        async def catalogue_events_delivered() -> bool:
            subscriptions = (await client.get("/api/v1/subscriptions/procedures", headers=admin)).json()["items"]
            to_dossier = next(s for s in subscriptions if s["name"] == "dossier-api")
            pending = await client.get(
                f"/api/v1/subscriptions/procedures/{to_dossier['id']}/deliveries",
                params={"status": "pending"},
                headers=admin,
            )
            total: int = pending.json()["total"]
            return total == 0

        await eventually(catalogue_events_delivered, what="the procedure's event at dossier-api")

        # 2. Received at the counter, result to be returned by post.
        address = "12 Trần Phú, Hải Châu, Đà Nẵng"
        payload = {
            "procedure_code": procedure,
            "channel": "in_person",
            "applicant": {
                "type": "citizen",
                "name": "Nguyễn Văn An",
                "id_number": "048090001234",
                "phone": "0905123456",
            },
            "documents": [{"component": "Tờ khai", "originals": 1, "copies": 0}],
            "result_return": {"method": "post", "address": address},
        }
        created = await client.post("/api/v1/dossiers", json=payload, headers=tokens.headers("reception_officer"))
        assert created.status_code == 201, created.text
        dossier = created.json()
        code = dossier["code"]
        assert dossier["status"] == "received"

        # 3. Supplemented: one request listing what is missing, then the applicant completes it.
        await act(code, "supplement-request", {"items": ["Bản sao hộ chiếu còn hạn"]}, "processing_officer")
        supplemented = await act(code, "supplement", {}, "reception_officer")
        assert supplemented["status"] in {"received", "processing"}

        # 4. Assigned, transferred to another agency for its share, and back.
        await act(code, "assign", {"unit": "Phòng Lãnh sự", "officer": "officer-7"}, "leader")
        transferred = await act(code, "transfer", {"to_agency": "CAT", "share_working_days": 2}, "processing_officer")
        assert transferred["current_agency"] == "CAT"
        back = await act(code, "transfer-return", {}, "integration")
        assert back["current_agency"] == "SNGV"

        # 5. An apology and a new appointment (once, before the due date), then the result.
        previous_due = dt.datetime.fromisoformat(back["due_at"])
        apology = {"additional_working_days": 2, "apology": "Xin lỗi ông/bà vì cần xác minh thêm."}
        rescheduled = await act(code, "reschedule", apology, "leader")
        assert dt.datetime.fromisoformat(rescheduled["due_at"]) > previous_due
        resolved = await act(
            code, "resolve", {"result_number": "12/GP-SNGV", "result_date": today.isoformat()}, "processing_officer"
        )
        assert resolved["status"] == "resolved"
        # Resolved today, due later: early (days are compared, in Vietnam).
        assert resolved["timeliness"] == "early"

        # 6. Returned by public post, with its tracking number.
        returned = await act(
            code,
            "return",
            {"method": "post", "tracking_number": "EB123456789VN", "address": address},
            "reception_officer",
        )
        assert (returned["status"], returned["portal_status"]) == ("returned", 10)
        timeline = (await client.get(f"/api/v1/dossiers/{code}/timeline", headers=admin)).json()
        actions = [entry["action"] for entry in timeline]
        for expected in (
            "request_supplement",
            "complete_supplement",
            "transfer",
            "reschedule",
            "resolve",
            "return_result",
        ):
            assert expected in actions, actions

        # 7. The survey invitation came from dossier.returned; the link is reissued for the citizen.
        async def invitation() -> dict[str, Any] | None:
            response = await client.post(
                "/api/v1/surveys/invitations/reissue",
                json={"dossier_code": code},
                headers=tokens.headers("reception_officer"),
            )
            return response.json() if response.status_code in {200, 201} else None

        link = await eventually(invitation, what="the survey invitation made from dossier.returned")
        assert link is not None
        form = (await client.get(f"/api/v1/surveys/invitations/{link['token']}")).json()
        answers = [
            {"question_id": q["id"], "score": 5} for q in form["questionnaire"]["questions"] if q["kind"] == "scale"
        ]
        answered = await client.post(
            "/api/v1/surveys/responses", json={"mode": "online", "token": link["token"], "answers": answers}
        )
        assert answered.status_code == 201, answered.text
        again = await client.post(
            "/api/v1/surveys/responses", json={"mode": "online", "token": link["token"], "answers": answers}
        )
        assert again.status_code in {404, 409, 410}

        # 8. The national portal holds the returned dossier and its steps.
        async def portal_returned() -> dict[str, Any] | None:
            async with httpx.AsyncClient() as portal:
                state = (await portal.get(f"{stack.portal}/_state")).json()
            record = state["dossiers"].get(code)
            return state if record and record["TrangThaiHoSo"] == "10" else None

        state = await eventually(portal_returned, within=90, what="the portal to hold the returned dossier")
        assert state is not None
        record = state["dossiers"][code]
        assert (record["MaTTHC"], record["KenhThucHien"], record["HinhThuc"]) == (procedure, "1", "1")
        assert record["DanhSachHoSoBoSung"], "the supplement is in the portal's record"
        steps = state["progress"][code]
        assert len(steps) >= len(timeline) - 1
        assert steps[-1]["TrangThai"] == "10"

        # 9. The overview of today counts the dossier and the evaluation.
        reporter = tokens.headers("reporter")

        async def overview() -> dict[str, Any] | None:
            response = await client.get(
                "/api/v1/reports/overview",
                params={"from": today.isoformat(), "to": today.isoformat(), "agency": "SNGV", "live": "true"},
                headers=reporter,
            )
            body: dict[str, Any] = response.json()
            return body if body.get("complete") and body["satisfaction"]["responses"] >= 1 else None

        figures = await eventually(overview, what="the overview to count the evaluation")
        assert figures is not None
        dossiers = figures["dossiers"]
        for count in (dossiers["received"]["new"], dossiers["resolved"]["total"], dossiers["resolved"]["early"]):
            assert count["value"] == 1
            # Each dossier figure links to the list that produced it: the same filters, the same count.
            listed = (await client.get(count["list"], headers=reporter)).json()
            assert (listed["total"], [d["code"] for d in listed["items"]]) == (1, [code])
        assert figures["satisfaction"]["responses"] == 1
        assert figures["satisfaction"]["satisfied_share"] == 1.0
