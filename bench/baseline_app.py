"""The baseline every HTTP figure is compared with: a bare FastAPI endpoint under the same server."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}


@app.get("/api/v1/procedures/{code}")
async def trivial_procedure(code: str) -> dict[str, str]:
    """The same trivial work on a path the gateway routes: what the gateway itself costs."""
    return {"code": code}
