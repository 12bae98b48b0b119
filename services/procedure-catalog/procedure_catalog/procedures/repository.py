"""All SQL about procedures, their versions and drafts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from motcua_kit.pagination import PageParams, Sortable, SortKey, apply_sort, paginate
from procedure_catalog.models import (
    REVISION_ROW,
    Announcement,
    AnnouncementChange,
    ApplicantType,
    AuthorityLevel,
    CatalogueRevision,
    ChangeAction,
    Channel,
    OnlineLevel,
    Procedure,
    ProcedureDraft,
    ProcedureVersion,
    VersionStatus,
)
from procedure_catalog.procedures.search import text_match

V = ProcedureVersion
SORTABLE: dict[str, Sortable] = {
    "relevance": V.code,  # replaced by the search rank when there is a query
    "code": V.code,
    "name_vi": V.name_vi,
    "valid_from": V.valid_from,
}
CHANNEL_COLUMNS = {Channel.IN_PERSON: V.in_person, Channel.ONLINE: V.online, Channel.POSTAL: V.postal}
APPLICANT_COLUMNS = {ApplicantType.CITIZEN: V.for_citizens, ApplicantType.ORGANISATION: V.for_organisations}
# What a list shows (procedures.views.summary_view): read as plain rows, without the ORM's identity map.
SUMMARY_COLUMNS: tuple[Any, ...] = (
    V.code,
    V.number,
    V.status,
    V.name_vi,
    V.name_en,
    V.field_code,
    V.field_name_vi,
    V.field_name_en,
    V.agency_code,
    V.agency_name_vi,
    V.agency_name_en,
    V.authority_level,
    V.online_level,
    V.legacy_online_level,
    V.in_person,
    V.online,
    V.postal,
    V.for_citizens,
    V.for_organisations,
    V.one_stop,
    V.inter_agency,
    V.internal,
    V.valid_from,
    V.valid_until,
)


def valid_on(day: dt.date) -> ColumnElement[bool]:
    """The version in force on ``day`` (see rules.in_force)."""
    return (V.valid_from <= day) & or_(V.valid_until.is_(None), V.valid_until > day)


@dataclass(frozen=True)
class ProcedureFilters:
    day: dt.date
    statuses: frozenset[VersionStatus]
    field_code: str | None = None
    agency_code: str | None = None
    authority_level: AuthorityLevel | None = None
    online_level: OnlineLevel | None = None
    legacy_online_level: int | None = None
    channel: Channel | None = None
    applicant_type: ApplicantType | None = None
    one_stop: bool | None = None
    inter_agency: bool | None = None
    internal: bool | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found = [valid_on(self.day), V.status.in_(sorted(self.statuses))]
        equal: list[tuple[Any, Any]] = [
            (V.field_code, self.field_code),
            (V.agency_code, self.agency_code),
            (V.authority_level, self.authority_level),
            (V.online_level, self.online_level),
            (V.legacy_online_level, self.legacy_online_level),
            (V.one_stop, self.one_stop),
            (V.inter_agency, self.inter_agency),
            (V.internal, self.internal),
        ]
        found += [column == value for column, value in equal if value is not None]
        if self.channel is not None:
            found.append(CHANNEL_COLUMNS[self.channel].is_(True))
        if self.applicant_type is not None:
            found.append(APPLICANT_COLUMNS[self.applicant_type].is_(True))
        return found


class ProcedureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    # --- identity ---

    async def get(self, code: str) -> Procedure | None:
        return await self.session.scalar(select(Procedure).where(Procedure.code == code))

    async def get_many(self, codes: Iterable[str]) -> dict[str, Procedure]:
        found: dict[str, Procedure] = {}
        wanted = list(dict.fromkeys(codes))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = await self.session.scalars(select(Procedure).where(Procedure.code.in_(chunk)))
            found.update({row.code: row for row in rows})
        return found

    async def add(self, procedure: Procedure) -> Procedure:
        self.session.add(procedure)
        await self.session.flush()
        return procedure

    async def add_many(self, codes: Sequence[str]) -> dict[str, Procedure]:
        if codes:
            await self.session.execute(insert(Procedure), [{"code": code} for code in codes])
        return await self.get_many(codes)

    async def delete(self, procedure: Procedure) -> None:
        await self.session.delete(procedure)
        await self.session.flush()

    # --- versions ---

    async def version_on(self, code: str, day: dt.date) -> tuple[ProcedureVersion, Announcement] | None:
        statement = (
            select(V, Announcement)
            .join(Procedure, Procedure.id == V.procedure_id)
            .join(Announcement, Announcement.id == V.announcement_id)
            .where(Procedure.code == code, valid_on(day))
        )
        row = (await self.session.execute(statement)).first()
        return (row[0], row[1]) if row else None

    async def version(self, procedure_id: int, number: int) -> tuple[ProcedureVersion, Announcement] | None:
        statement = (
            select(V, Announcement)
            .join(Announcement, Announcement.id == V.announcement_id)
            .where(V.procedure_id == procedure_id, V.number == number)
        )
        row = (await self.session.execute(statement)).first()
        return (row[0], row[1]) if row else None

    async def history(self, procedure_id: int) -> Sequence[tuple[ProcedureVersion, Announcement, ChangeAction]]:
        statement = (
            select(V, Announcement, AnnouncementChange.action)
            .join(Announcement, Announcement.id == V.announcement_id)
            .join(
                AnnouncementChange,
                (AnnouncementChange.announcement_id == V.announcement_id)
                & (AnnouncementChange.procedure_id == V.procedure_id),
            )
            .where(V.procedure_id == procedure_id)
            .order_by(V.number)
        )
        return [(row[0], row[1], row[2]) for row in await self.session.execute(statement)]

    async def latest(self, procedure_id: int) -> ProcedureVersion | None:
        statement = select(V).where(V.procedure_id == procedure_id).order_by(V.number.desc()).limit(1)
        return await self.session.scalar(statement)

    async def latest_many(self, procedure_ids: Iterable[int], *, content: bool = True) -> dict[int, ProcedureVersion]:
        """The latest version of each procedure (one query per 500 procedures).

        ``content=False`` leaves the record unread (the import compares hashes; reading 6,000
        records it does not need would cost more than the rest of the lookup).
        """
        found: dict[int, ProcedureVersion] = {}
        wanted = list(dict.fromkeys(procedure_ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            statement = select(V).where(V.procedure_id.in_(chunk), V.valid_until.is_(None))
            if not content:
                statement = statement.options(defer(V.content, raiseload=True))
            found.update({row.procedure_id: row for row in await self.session.scalars(statement)})
        return found

    async def revision(self) -> int | None:
        """The catalogue's revision as this transaction sees it (see models.revision); None without its row."""
        value = await self.session.scalar(select(CatalogueRevision.value).where(CatalogueRevision.id == REVISION_ROW))
        return None if value is None else int(value)

    async def raise_revision(self) -> None:
        await self.session.execute(
            update(CatalogueRevision)
            .where(CatalogueRevision.id == REVISION_ROW)
            .values(value=CatalogueRevision.value + 1)
            .execution_options(synchronize_session=False)
        )

    async def add_versions(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(V), list(rows))

    async def close_versions(self, closing: Sequence[tuple[int, dt.date]]) -> None:
        """End the validity of versions ``(id, first day no longer valid)``."""
        if not closing:
            return
        table = V.__table__
        assert isinstance(table, Table)
        statement = update(table).where(table.c.id == bindparam("closing_id")).values(valid_until=bindparam("until"))
        await self.session.execute(statement, [{"closing_id": i, "until": until} for i, until in closing])

    async def refresh_statistics(self) -> None:
        """After a bulk write, merge the search index's pending list and let PostgreSQL's planner know
        the table grew (autovacuum would do both, later).

        Without it, the first searches after a national import scan the index's pending list, and
        plan as if the table were empty, reading every row through the validity index instead of
        matching on the text first.
        """
        if self.dialect == "postgresql":
            await self.session.execute(text("SELECT gin_clean_pending_list('ix_procedure_versions_search'::regclass)"))
            await self.session.execute(text("ANALYZE procedure_versions"))

    async def search(
        self,
        filters: ProcedureFilters,
        terms: list[str],
        sort: Sequence[SortKey],
        page: PageParams,
        exact_code: str | None = None,
    ) -> tuple[Sequence[Row[Any]], int]:
        """One page of summaries (rows of :data:`SUMMARY_COLUMNS`) and the count of all matches."""
        statement: Select[Any] = select(*SUMMARY_COLUMNS).where(*filters.conditions())
        if terms:
            match = text_match(self.dialect, terms)
            if match.join_target is not None and match.join_on is not None:
                statement = statement.join(match.join_target, match.join_on)
            statement = statement.where(match.condition)
            if exact_code:
                statement = statement.order_by(case((V.code == exact_code, 0), else_=1))
            if any(key.name == "relevance" for key in sort):
                statement = statement.order_by(match.rank)
        statement = apply_sort(statement, [k for k in sort if k.name != "relevance"], SORTABLE)
        # PostgreSQL counts the matches in the same statement; SQLite cannot beside bm25().
        return await paginate(
            self.session,
            statement.order_by(V.code),
            page,
            rows=True,
            window_count=bool(terms) and self.dialect == "postgresql",
        )

    async def all_on(self, filters: ProcedureFilters) -> Sequence[ProcedureVersion]:
        return (await self.session.scalars(select(V).where(*filters.conditions()).order_by(V.code))).all()

    # --- drafts ---

    async def draft(self, procedure_id: int) -> ProcedureDraft | None:
        return await self.session.scalar(select(ProcedureDraft).where(ProcedureDraft.procedure_id == procedure_id))

    async def drafts(self, procedure_ids: Iterable[int]) -> dict[int, ProcedureDraft]:
        wanted = list(procedure_ids)
        statement = select(ProcedureDraft).where(ProcedureDraft.procedure_id.in_(wanted))
        return {row.procedure_id: row for row in await self.session.scalars(statement)}

    async def list_drafts(self, page: PageParams) -> tuple[Sequence[tuple[ProcedureDraft, str]], int]:
        statement = (
            select(ProcedureDraft, Procedure.code)
            .join(Procedure, Procedure.id == ProcedureDraft.procedure_id)
            .order_by(ProcedureDraft.updated_at.desc(), Procedure.code)
        )
        total = await self.session.scalar(select(func.count()).select_from(ProcedureDraft))
        rows = await self.session.execute(statement.limit(page.size).offset(page.offset))
        return [(row[0], row[1]) for row in rows], int(total or 0)

    async def add_draft(self, draft: ProcedureDraft) -> ProcedureDraft:
        self.session.add(draft)
        await self.session.flush()
        return draft

    async def replace_draft_content(
        self, draft: ProcedureDraft, content: dict[str, Any], expected_revision: int, editor: str
    ) -> bool:
        """Compare-and-set: write only if nobody saved the draft since ``expected_revision``."""
        result = await self.session.execute(
            update(ProcedureDraft)
            .where(ProcedureDraft.id == draft.id, ProcedureDraft.revision == expected_revision)
            .values(content=content, revision=expected_revision + 1, updated_by=editor)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        await self.session.refresh(draft)
        return True

    async def delete_drafts(self, procedure_ids: Iterable[int]) -> None:
        wanted = list(procedure_ids)
        if wanted:
            await self.session.execute(delete(ProcedureDraft).where(ProcedureDraft.procedure_id.in_(wanted)))
