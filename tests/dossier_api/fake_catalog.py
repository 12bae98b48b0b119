"""A stand-in for procedure-catalog, answering only what the consumer contract promises.

Every answer is validated against ``contracts/consumers/dossier-api.procedure.schema.json`` before
it is sent, so dossier-api's tests cannot rely on a field the catalogue never agreed to send.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema

CONTRACT = Path(__file__).resolve().parents[2] / "contracts/consumers/dossier-api.procedure.schema.json"
SCHEMA: dict[str, Any] = json.loads(CONTRACT.read_text(encoding="utf-8"))


def procedure_version(code: str = "1.000948", **overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "code": code,
        "version": 3,
        "status": "published",
        "name_vi": "Cấp thẻ đi lại của doanh nhân APEC (thẻ ABTC)",
        "name_en": "Issuance of the APEC Business Travel Card",
        "agency_code": "SNGV",
        "field_code": "G09-NG01",
        "online_level": "full",
        "channels": [
            {
                "channel": channel,
                "processing_time": {"value": 5, "unit": "working_days"},
                "fees": [{"amount_vnd": 200_000, "unit": "VND/thẻ", "description_vi": "Lệ phí cấp thẻ"}],
            }
            for channel in ("in_person", "online", "postal")
        ],
    }
    document.update(overrides)
    return document


class FakeCatalog:
    def __init__(self) -> None:
        self.procedures: dict[str, dict[str, Any]] = {"1.000948": procedure_version()}
        self.down = False
        self.broken = False
        self.requests: list[httpx.Request] = []

    def add(self, document: dict[str, Any]) -> None:
        self.procedures[document["code"]] = document

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("catalogue down", request=request)
        prefix = "/api/v1/procedures/"
        assert request.url.path.startswith(prefix), request.url
        assert "at" in request.url.params, "dossier-api asks for the version in force on a day"
        if self.broken:
            return httpx.Response(200, json={"code": "x"})
        code = request.url.path.removeprefix(prefix)
        document = self.procedures.get(code)
        if document is None:
            return httpx.Response(
                404,
                json={"type": "urn:motcua:problem:procedure_not_found", "title": "Not found", "status": 404},
                headers={"content-type": "application/problem+json"},
            )
        jsonschema.validate(document, SCHEMA)
        return httpx.Response(200, json=copy.deepcopy(document))

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)
