"""A fake National Public Service Portal, for tests and local demos (the edge of the world).

It speaks the portal's dossier sync services and checks what it receives against the committed
contract (``contracts/national-portal/*.schema.json``):

- ``POST /api/DongBoHoSoMC``: create (``isUpdating: false``) or update a dossier keyed by ``MaHoSo``;
  creating one that exists or updating one that does not is refused, as the portal does;
- ``POST /api/CapNhatTienDoHoSoMC``: processing steps of a dossier that exists.

Like the portal, it answers HTTP 200 with ``error_code`` "0" on success and another code on
refusal. Tests steer it: ``POST /_control {"mode": "fail"|"slow"|"reject"|"ok", "count": n,
"delay_seconds": s}`` makes the next ``n`` calls fail with 503, answer slowly, or be refused;
``GET /_state`` shows what it holds; ``POST /_reset`` empties it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import uvicorn
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

# The source tree's contracts; an installed copy (the container image) points elsewhere with the variable.
CONTRACTS = Path(
    os.environ.get("FAKE_PORTAL_CONTRACTS", Path(__file__).resolve().parents[2] / "contracts" / "national-portal")
)


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((CONTRACTS / name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


class Control(BaseModel):
    mode: str = "ok"  # ok, fail (503), slow, reject (error_code -1)
    count: int = 1_000_000
    delay_seconds: float = 0.0


def create_app(token: str = "portal-dev-token") -> FastAPI:  # noqa: S107 - the fake's own test token
    app = FastAPI(title="fake national public service portal", docs_url=None, redoc_url=None)
    sync_schema = _validator("dossier-sync.schema.json")
    progress_schema = _validator("dossier-progress.schema.json")
    state: dict[str, Any] = {"dossiers": {}, "progress": {}, "calls": [], "control": Control(count=0)}

    def answer(code: str, message: str) -> JSONResponse:
        return JSONResponse({"error_code": code, "message": message})

    async def gate(authorization: str | None) -> JSONResponse | None:
        if authorization != f"Bearer {token}":
            return JSONResponse({"error_code": "401", "message": "Unauthorized"}, status_code=401)
        control: Control = state["control"]
        if control.count > 0 and control.mode != "ok":
            control.count -= 1
            if control.mode == "fail":
                return JSONResponse({"error_code": "503", "message": "Service unavailable"}, status_code=503)
            if control.mode == "reject":
                return answer("-1", "Hệ thống tạm thời từ chối yêu cầu")
            if control.mode == "slow":
                await asyncio.sleep(control.delay_seconds)
        return None

    def record(service: str, ok: bool, detail: str) -> None:
        state["calls"].append({"service": service, "ok": ok, "detail": detail})

    @app.post("/api/DongBoHoSoMC")
    async def sync_dossier(request: Request, authorization: str | None = Header(None)) -> JSONResponse:
        if (refusal := await gate(authorization)) is not None:
            record("DongBoHoSoMC", False, "gate")
            return refusal
        body = await request.json()
        errors = sorted(e.message for e in sync_schema.iter_errors(body))
        if errors:
            record("DongBoHoSoMC", False, "; ".join(errors))
            return answer("1", "Dữ liệu không hợp lệ: " + "; ".join(errors[:5]))
        for dossier in body["data"]:
            code = dossier["MaHoSo"]
            exists = code in state["dossiers"]
            if not body["isUpdating"] and exists:
                record("DongBoHoSoMC", False, f"{code} exists")
                return answer("2", f"Hồ sơ {code} đã tồn tại")
            if body["isUpdating"] and not exists:
                record("DongBoHoSoMC", False, f"{code} unknown")
                return answer("3", f"Hồ sơ {code} không tồn tại")
        for dossier in body["data"]:
            state["dossiers"][dossier["MaHoSo"]] = dossier
        record("DongBoHoSoMC", True, ",".join(d["MaHoSo"] for d in body["data"]))
        return answer("0", "Thành công")

    @app.post("/api/CapNhatTienDoHoSoMC")
    async def sync_progress(request: Request, authorization: str | None = Header(None)) -> JSONResponse:
        if (refusal := await gate(authorization)) is not None:
            record("CapNhatTienDoHoSoMC", False, "gate")
            return refusal
        body = await request.json()
        errors = sorted(e.message for e in progress_schema.iter_errors(body))
        if errors:
            record("CapNhatTienDoHoSoMC", False, "; ".join(errors))
            return answer("1", "Dữ liệu không hợp lệ: " + "; ".join(errors[:5]))
        for step in body["data"]:
            if step["MaHoSo"] not in state["dossiers"]:
                record("CapNhatTienDoHoSoMC", False, f"{step['MaHoSo']} unknown")
                return answer("3", f"Hồ sơ {step['MaHoSo']} không tồn tại")
        for step in body["data"]:
            steps = state["progress"].setdefault(step["MaHoSo"], [])
            if step not in steps:  # the same step sent twice is one step
                steps.append(step)
        record("CapNhatTienDoHoSoMC", True, str(len(body["data"])))
        return answer("0", "Thành công")

    @app.get("/_state")
    async def get_state() -> dict[str, Any]:
        return {"dossiers": state["dossiers"], "progress": state["progress"], "calls": state["calls"]}

    @app.post("/_control")
    async def set_control(control: Control) -> dict[str, Any]:
        state["control"] = control
        return control.model_dump()

    @app.post("/_reset")
    async def reset() -> dict[str, str]:
        state.update({"dossiers": {}, "progress": {}, "calls": [], "control": Control(count=0)})
        return {"status": "reset"}

    @app.get("/livez")
    async def livez() -> dict[str, str]:
        return {"status": "ok"}

    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8009)
    parser.add_argument("--token", default="portal-dev-token")
    args = parser.parse_args()
    uvicorn.run(create_app(args.token), host=args.host, port=args.port, log_level="warning")
