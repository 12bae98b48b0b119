"""A stand-in procedure catalogue for benchmarks: the contract's answer for any code, at once.

dossier-api asks the catalogue at every reception; this keeps the catalogue's own cost out of the
reception figures (the catalogue has its own benchmark).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

app = FastAPI()

CHANNELS = ("in_person", "online", "postal")


@app.get("/api/v1/procedures/{code}")
async def procedure(code: str, at: str) -> dict[str, Any]:
    return {
        "code": code,
        "version": 1,
        "status": "published",
        "name_vi": f"Thủ tục {code}",
        "name_en": None,
        "agency_code": "SNGV",
        "field_code": "NG",
        "online_level": "full",
        "channels": [
            {
                "channel": channel,
                "processing_time": {"value": 5, "unit": "working_days"},
                "fees": [{"amount_vnd": 200_000, "description_vi": "Lệ phí"}],
            }
            for channel in CHANNELS
        ],
    }
