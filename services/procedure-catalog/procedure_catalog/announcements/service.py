"""Recording announcement decisions and applying them to the catalogue, all or nothing. Never commits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from motcua_kit.errors import Conflict, FieldError, NotFound, UnprocessableContent
from motcua_kit.pagination import PageParams
from procedure_catalog.announcements.repository import AnnouncementRepository
from procedure_catalog.announcements.rules import change_refusal
from procedure_catalog.announcements.schemas import AnnouncementCreate
from procedure_catalog.models import (
    Agency,
    Announcement,
    AnnouncementChange,
    AnnouncementSource,
    ChangeAction,
    Field,
)
from procedure_catalog.procedures.publishing import VersionWriter
from procedure_catalog.procedures.repository import ProcedureRepository
from procedure_catalog.procedures.schemas import ProcedureContent
from procedure_catalog.reference.repository import ReferenceRepository


class AnnouncementService:
    def __init__(
        self,
        announcements: AnnouncementRepository,
        procedures: ProcedureRepository,
        references: ReferenceRepository,
    ) -> None:
        self.announcements = announcements
        self.procedures = procedures
        self.references = references

    async def record(self, data: AnnouncementCreate, editor: str) -> Announcement:
        """Record the decision and make every change it lists, or refuse it whole naming each fault.

        Checks run on everything before anything is written, so a refused decision leaves no trace;
        the request's single transaction also undoes any write if a later step fails.
        """
        if await self.announcements.by_number(data.number) is not None:
            raise Conflict(f"Decision {data.number} is already recorded.", code="duplicate_announcement_number")
        codes = [change.procedure_code for change in data.changes]
        procedures = await self.procedures.get_many(codes)
        ids = [p.id for p in procedures.values()]
        latest = await self.procedures.latest_many(ids)
        drafts = await self.procedures.drafts(ids)

        errors: list[FieldError] = []
        repeated = {code for code, n in Counter(codes).items() if n > 1}
        for position, change in enumerate(data.changes):
            code = change.procedure_code
            if code in repeated:
                errors.append(self._refusal(position, "duplicate_change", f"{code} appears more than once"))
                continue
            procedure = procedures.get(code)
            refusal = change_refusal(
                action=change.action,
                code=code,
                procedure=procedure,
                latest=latest.get(procedure.id) if procedure else None,
                draft=drafts.get(procedure.id) if procedure else None,
                effective_on=data.effective_on,
            )
            if refusal is not None:
                errors.append(self._refusal(position, *refusal))
        if errors:
            raise UnprocessableContent(
                "Nothing was applied: " + "; ".join(e.message for e in errors) + ".",
                code="announcement_not_applicable",
                errors=errors,
            )

        contents = {
            code: ProcedureContent.model_validate(drafts[procedures[code].id].content)
            for code, action in ((c.procedure_code, c.action) for c in data.changes)
            if action is not ChangeAction.ABOLISH
        }
        fields = await self.references.get_many(Field, [c.field_code for c in contents.values()])
        agencies = await self.references.get_many(Agency, [c.agency_code for c in contents.values()])

        announcement = await self.announcements.add(
            Announcement(
                number=data.number,
                title_vi=data.title_vi,
                title_en=data.title_en,
                issuer=data.issuer,
                signed_on=data.signed_on,
                effective_on=data.effective_on,
                source=AnnouncementSource.DECISION,
                recorded_by=editor,
            )
        )
        writer = VersionWriter(self.procedures, announcement)
        change_rows = []
        for position, change in enumerate(data.changes):
            procedure = procedures[change.procedure_code]
            current = latest.get(procedure.id)
            if change.action is ChangeAction.ABOLISH:
                assert current is not None
                number = writer.abolish(latest=current)
            else:
                content = contents[change.procedure_code]
                number = writer.publish(
                    procedure_id=procedure.id,
                    code=procedure.code,
                    latest=current,
                    content=content,
                    field=fields[content.field_code],
                    agency=agencies[content.agency_code],
                )
            change_rows.append(
                {
                    "announcement_id": announcement.id,
                    "position": position,
                    "action": change.action,
                    "procedure_id": procedure.id,
                    "procedure_code": procedure.code,
                    "version_number": number,
                    "note": change.note,
                }
            )
        await writer.write()
        await self.announcements.add_changes(change_rows)
        # A published draft is consumed; an abolished procedure's open draft can never be published.
        await self.procedures.delete_drafts([procedures[c.procedure_code].id for c in data.changes])
        return announcement

    @staticmethod
    def _refusal(position: int, rule: str, reason: str) -> FieldError:
        return FieldError(field=f"changes.{position}.procedure_code", message=reason, type=rule)

    async def get(self, announcement_id: int) -> tuple[Announcement, Sequence[AnnouncementChange]]:
        announcement = await self.announcements.get(announcement_id)
        if announcement is None:
            raise NotFound(f"No announcement decision {announcement_id}.", code="announcement_not_found")
        return announcement, await self.announcements.changes(announcement_id)

    async def list(self, page: PageParams) -> tuple[Sequence[Announcement], int]:
        return await self.announcements.list(page)

    async def counts(self, announcement_ids: Sequence[int]) -> dict[int, dict[ChangeAction, int]]:
        return await self.announcements.change_counts(announcement_ids)
