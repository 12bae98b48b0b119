"""Historical import from a legacy one-stop system: streamed NDJSON, idempotent by dossier code."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import orjson
from pydantic import ValidationError

from dossier_api.calendar.rules import timeliness
from dossier_api.imports.repository import ImportRepository
from dossier_api.imports.schemas import ImportedDossier, ImportReport, Rejection
from dossier_api.models import DossierSource, DossierStatus, Timeliness
from motcua_kit.auth import Principal
from motcua_kit.db import utcnow
from motcua_kit.errors import UnprocessableContent, field_errors_from_validation
from motcua_kit.nul import MESSAGE as NUL_MESSAGE
from motcua_kit.nul import json_nul_paths
from motcua_kit.timezone import local_date

BATCH_SIZE = 1000
MAX_LINE_BYTES = 64 * 1024
MAX_REPORTED_REJECTIONS = 1000

_STATUS = {
    "in_progress": DossierStatus.PROCESSING,
    "resolved": DossierStatus.RESOLVED,
    "returned": DossierStatus.RETURNED,
    "refused": DossierStatus.REFUSED,
    "withdrawn": DossierStatus.WITHDRAWN,
    "stopped": DossierStatus.STOPPED,
}


async def ndjson_lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[tuple[int, bytes | None]]:
    """Split a byte stream into numbered lines; an overlong line comes out as None (rejected, not buffered)."""
    buffer = b""
    number = 0
    skipping = False
    async for chunk in chunks:
        buffer += chunk
        while True:
            newline = buffer.find(b"\n")
            if newline < 0:
                break
            line, buffer = buffer[:newline], buffer[newline + 1 :]
            number += 1
            if skipping or len(line) > MAX_LINE_BYTES:
                skipping = False
                yield number, None
            else:
                yield number, line
        if len(buffer) > MAX_LINE_BYTES:
            buffer = b""
            skipping = True
    if skipping:
        yield number + 1, None
    elif buffer.strip():
        yield number + 1, buffer if len(buffer) <= MAX_LINE_BYTES else None


def to_row(item: ImportedDossier, default_agency: str, principal: Principal, now: dt.datetime) -> dict[str, Any]:
    outcome = item.final_outcome
    finished_at = item.resolved_at if outcome in {"resolved", "returned"} else item.finished_at
    grade = (
        Timeliness(timeliness(item.resolved_at, item.due_at).value)
        if item.resolved_at is not None and item.due_at is not None
        else None
    )
    agency = item.agency_code or default_agency
    return {
        "code": item.code,
        "agency_code": agency,
        "current_agency": agency,
        "source": DossierSource.IMPORT,
        "procedure_code": item.procedure_code,
        "procedure_name": item.procedure_name,
        "channel": item.channel,
        "status": _STATUS[outcome],
        "applicant_type": item.applicant.type,
        "applicant_name": item.applicant.name,
        "applicant_id_number": item.applicant.id_number,
        "applicant_phone": item.applicant.phone,
        "applicant_email": str(item.applicant.email) if item.applicant.email else None,
        "applicant_address": item.applicant.address,
        "return_method": item.return_method,
        "received_by": principal.subject,
        "submitted_at": item.submitted_at or item.received_at or finished_at or now,
        "received_at": item.received_at,
        "received_on": local_date(item.received_at) if item.received_at else None,
        "clock_started_at": item.received_at,
        "due_at": item.due_at,
        "resolved_at": item.resolved_at,
        "resolved_on": local_date(item.resolved_at) if item.resolved_at else None,
        "result_number": item.result_number,
        "timeliness": grade,
        "returned_at": item.returned_at,
        "finished_on": local_date(finished_at) if finished_at else None,
        "paid_online": item.paid_online,
        "extension_working_days": 0,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


class ImportService:
    def __init__(self, repository: ImportRepository, *, agency_code: str) -> None:
        self.repository = repository
        self.agency_code = agency_code

    async def run(self, chunks: AsyncIterator[bytes], principal: Principal) -> ImportReport:
        now = utcnow()
        lines = imported = rejected = 0
        rejections: list[Rejection] = []
        batch: dict[str, dict[str, Any]] = {}
        duplicates_in_body = 0

        def reject(number: int, code: str | None, reasons: list[str]) -> None:
            nonlocal rejected
            rejected += 1
            if len(rejections) < MAX_REPORTED_REJECTIONS:
                rejections.append(Rejection(line=number, code=code, reasons=reasons))

        async for number, raw in ndjson_lines(chunks):
            if raw is None:
                lines += 1
                reject(number, None, [f"line longer than {MAX_LINE_BYTES} bytes"])
                continue
            if not raw.strip():
                continue
            lines += 1
            try:
                item = ImportedDossier.model_validate_json(raw)
            except ValidationError as exc:
                errors = field_errors_from_validation(exc.errors(include_url=False))
                reasons = [f"{e.field}: {e.message}" if e.field != "body" else e.message for e in errors]
                reject(number, _code_of(raw), reasons)
                continue
            if nul := json_nul_paths(raw):
                reject(number, item.code, [f"{path}: {NUL_MESSAGE}" for path in nul])
                continue
            if item.code in batch:
                duplicates_in_body += 1
                continue
            batch[item.code] = to_row(item, self.agency_code, principal, now)
            if len(batch) >= BATCH_SIZE:
                imported += await self.repository.insert_new(list(batch.values()))
                batch.clear()
        imported += await self.repository.insert_new(list(batch.values()))
        if lines == 0:
            raise UnprocessableContent("The body holds no dossier line.", code="empty_import")
        accepted = lines - rejected
        return ImportReport(
            lines=lines,
            imported=imported,
            already_present=accepted - imported,
            rejected=rejected,
            rejections=rejections,
        )


def _code_of(raw: bytes) -> str | None:
    """The code of a rejected line, if it can be read, to help whoever fixes the file."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    code = document.get("code") if isinstance(document, dict) else None
    return code[:40] if isinstance(code, str) else None
