"""Exchange with the national database: export and idempotent import. Never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from motcua_kit.db import utcnow
from motcua_kit.errors import Conflict, FieldError, UnprocessableContent
from procedure_catalog.announcements.repository import AnnouncementRepository
from procedure_catalog.exchange.national import NationalRecord, RecordRejected, from_national, to_national
from procedure_catalog.exchange.schemas import ImportDecision, ImportedRecord, ImportOutcome, ImportRequest
from procedure_catalog.models import (
    Agency,
    Announcement,
    AnnouncementSource,
    ChangeAction,
    Field,
    Procedure,
    ProcedureVersion,
    VersionStatus,
)
from procedure_catalog.procedures.publishing import VersionWriter
from procedure_catalog.procedures.repository import ProcedureFilters, ProcedureRepository
from procedure_catalog.procedures.rules import new_version_may_start
from procedure_catalog.procedures.versions import content_hash, stored_content
from procedure_catalog.reference.repository import ReferenceRepository

NATIONAL_FORMAT = "motcua-national/1"
NATIONAL_DATABASE = "Cơ sở dữ liệu quốc gia về thủ tục hành chính"
BULK_IMPORT = 500  # changes from which an import refreshes the planner's statistics


class ExchangeService:
    def __init__(
        self,
        procedures: ProcedureRepository,
        references: ReferenceRepository,
        announcements: AnnouncementRepository,
        today: dt.date,
    ) -> None:
        self.procedures = procedures
        self.references = references
        self.announcements = announcements
        self.today = today

    async def versions(self, filters: ProcedureFilters) -> Sequence[ProcedureVersion]:
        return await self.procedures.all_on(filters)

    @staticmethod
    def national_document(versions: Sequence[ProcedureVersion], day: dt.date) -> dict[str, Any]:
        """The records of ``versions`` in the national shape; `POST /procedures/import` takes it back."""
        return {
            "format": NATIONAL_FORMAT,
            "exported_at": utcnow().isoformat(),
            "valid_on": day.isoformat(),
            "count": len(versions),
            "records": [
                to_national(
                    v.code,
                    v.status,
                    v.content,
                    field_name_vi=v.field_name_vi,
                    agency_name_vi=v.agency_name_vi,
                    version=v.number,
                    valid_from=v.valid_from,
                )
                for v in versions
            ],
        }

    async def import_records(
        self, request: ImportRequest, editor: str, max_records: int
    ) -> tuple[list[ImportedRecord], Announcement | None, dict[ChangeAction, int]]:
        """Bring national records in: new ones are created, changed ones amended or abolished.

        Each record is judged on its own: a malformed one is rejected with its reasons while the
        others go in. A record equal to the version in force is unchanged, so importing the same
        input twice changes nothing. The changes are recorded under one announcement decision.
        """
        if len(request.records) > max_records:
            raise UnprocessableContent(
                f"One import takes at most {max_records} records; split the file.",
                code="too_many_records",
                errors=[FieldError(field="records", message=f"at most {max_records} records", type="too_many_records")],
            )
        decision = request.decision or ImportDecision()
        effective_on = decision.effective_on or self.today
        signed_on = decision.signed_on or effective_on
        if signed_on > effective_on:
            raise UnprocessableContent(
                "The decision cannot take effect before it is signed.",
                errors=[FieldError(field="decision.effective_on", message="before signed_on", type="invalid_period")],
            )

        report, parsed = self._parse(request.records)
        fields, agencies = await self._references(list(parsed.values()))
        procedures = await self.procedures.get_many(r.code for r in parsed.values())
        latest = await self.procedures.latest_many((p.id for p in procedures.values()), content=False)

        planned: list[tuple[int, ChangeAction, NationalRecord, ProcedureVersion | None]] = []
        for index, record in parsed.items():
            procedure = procedures.get(record.code)
            current = latest.get(procedure.id) if procedure else None
            outcome = self._judge(record, current, effective_on)
            if isinstance(outcome, list):
                report[index] = self._rejected(index, record.code, outcome)
            elif outcome is None:
                assert current is not None
                report[index] = ImportedRecord(
                    index=index, code=record.code, outcome=ImportOutcome.UNCHANGED, version=current.number
                )
            else:
                planned.append((index, outcome, record, current))

        counts = dict.fromkeys(ChangeAction, 0)
        for _, action, _, _ in planned:
            counts[action] += 1
        announcement = None
        if planned:
            announcement = await self._announce(decision, signed_on, effective_on, editor)
            new_codes = [record.code for _, _, record, _ in planned if record.code not in procedures]
            procedures.update(await self.procedures.add_many(new_codes))
            # An abolished version copies the record it closes: read those few records in full.
            abolishing = [
                current.procedure_id for _, action, _, current in planned if current and action is ChangeAction.ABOLISH
            ]
            full = await self.procedures.latest_many(abolishing)
            planned = [(i, a, r, full.get(c.procedure_id, c) if c else None) for i, a, r, c in planned]
            report.update(await self._apply(planned, procedures, fields, agencies, announcement))
            if len(planned) >= BULK_IMPORT:
                await self.procedures.refresh_statistics()
        return [report[index] for index in sorted(report)], announcement, counts

    def _parse(self, records: list[Any]) -> tuple[dict[int, ImportedRecord], dict[int, NationalRecord]]:
        """Each record understood, or rejected with its reasons (a code seen twice: the second)."""
        report: dict[int, ImportedRecord] = {}
        parsed: dict[int, NationalRecord] = {}
        first_index: dict[str, int] = {}
        for index, raw in enumerate(records):
            try:
                record = from_national(raw)
            except RecordRejected as rejected:
                code = raw.get("MATTHC") if isinstance(raw, dict) else None
                report[index] = self._rejected(index, code if isinstance(code, str) else None, rejected.reasons)
                continue
            if record.code in first_index:
                reason = f"MATTHC: {record.code} already appears in record {first_index[record.code]} of this import"
                report[index] = self._rejected(index, record.code, [reason])
                continue
            first_index[record.code] = index
            parsed[index] = record

        return report, parsed

    async def _apply(
        self,
        planned: list[tuple[int, ChangeAction, NationalRecord, ProcedureVersion | None]],
        procedures: dict[str, Procedure],
        fields: dict[str, Field],
        agencies: dict[str, Agency],
        announcement: Announcement,
    ) -> dict[int, ImportedRecord]:
        report: dict[int, ImportedRecord] = {}
        writer = VersionWriter(self.procedures, announcement)
        changes = []
        for position, (index, action, record, current) in enumerate(planned):
            procedure = procedures[record.code]
            if action is ChangeAction.ABOLISH:
                assert current is not None
                number = writer.abolish(latest=current)
            else:
                number = writer.publish(
                    procedure_id=procedure.id,
                    code=record.code,
                    latest=current,
                    content=record.content,
                    field=fields[record.content.field_code],
                    agency=agencies[record.content.agency_code],
                )
            outcome = ImportOutcome.CREATED if action is ChangeAction.CREATE else ImportOutcome.CHANGED
            report[index] = ImportedRecord(index=index, code=record.code, outcome=outcome, version=number)
            changes.append(
                {
                    "announcement_id": announcement.id,
                    "position": position,
                    "action": action,
                    "procedure_id": procedure.id,
                    "procedure_code": record.code,
                    "version_number": number,
                    "note": None,
                }
            )
        await writer.write()
        await self.announcements.add_changes(changes)
        return report

    @staticmethod
    def _rejected(index: int, code: str | None, reasons: list[str]) -> ImportedRecord:
        return ImportedRecord(index=index, code=code, outcome=ImportOutcome.REJECTED, reasons=reasons)

    @staticmethod
    def _judge(  # noqa: PLR0911 - one return per case reads best
        record: NationalRecord, current: ProcedureVersion | None, effective_on: dt.date
    ) -> ChangeAction | list[str] | None:
        """What the record asks of the catalogue: a change, nothing (None), or reasons to reject it."""
        if current is None:
            if record.status is VersionStatus.ABOLISHED:
                return [f"TRANGTHAI: {record.code} is abolished in the national record and unknown here"]
            return ChangeAction.CREATE
        if current.status is VersionStatus.ABOLISHED:
            if record.status is VersionStatus.ABOLISHED:
                return None
            return [f"TRANGTHAI: {record.code} was abolished here on {current.valid_from.isoformat()}; it stays so"]
        if record.status is VersionStatus.PUBLISHED and current.content_hash == content_hash(
            stored_content(record.content)
        ):
            return None
        if not new_version_may_start(current.valid_from, effective_on):
            return [
                f"{record.code}: version {current.number} takes effect on {current.valid_from.isoformat()}, "
                f"not before this import's {effective_on.isoformat()}"
            ]
        return ChangeAction.ABOLISH if record.status is VersionStatus.ABOLISHED else ChangeAction.AMEND

    async def _references(self, records: list[NationalRecord]) -> tuple[dict[str, Field], dict[str, Agency]]:
        """The fields and agencies the records name; those not yet listed are added with the records' names."""
        wanted_fields = {r.content.field_code: r.field_name_vi for r in reversed(records)}
        wanted_agencies = {r.content.agency_code: r for r in reversed(records)}
        fields = await self.references.get_many(Field, wanted_fields)
        agencies = await self.references.get_many(Agency, wanted_agencies)
        await self.references.add_many(
            Field, [{"code": code, "name_vi": name} for code, name in wanted_fields.items() if code not in fields]
        )
        await self.references.add_many(
            Agency,
            [
                {"code": code, "name_vi": r.agency_name_vi, "authority_level": r.content.authority_level}
                for code, r in wanted_agencies.items()
                if code not in agencies
            ],
        )
        return (
            await self.references.get_many(Field, wanted_fields),
            await self.references.get_many(Agency, wanted_agencies),
        )

    async def _announce(
        self, decision: ImportDecision, signed_on: dt.date, effective_on: dt.date, editor: str
    ) -> Announcement:
        number = decision.number or f"CSDLQG-{utcnow():%Y%m%d-%H%M%S-%f}"
        if await self.announcements.by_number(number) is not None:
            raise Conflict(f"Decision {number} is already recorded.", code="duplicate_announcement_number")
        return await self.announcements.add(
            Announcement(
                number=number,
                title_vi=decision.title_vi or "Cập nhật từ Cơ sở dữ liệu quốc gia về thủ tục hành chính",
                title_en="Update from the national database of administrative procedures",
                issuer=decision.issuer or NATIONAL_DATABASE,
                signed_on=signed_on,
                effective_on=effective_on,
                source=AnnouncementSource.IMPORT,
                recorded_by=editor,
            )
        )
