"""The baseline every HTTP figure is compared with: a bare FastAPI endpoint under the same server."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}
