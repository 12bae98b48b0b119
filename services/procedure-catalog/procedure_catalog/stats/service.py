"""Statistics of the catalogue on a day: what the seed report counts ("8 of 13 online at level 3")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement

from motcua_kit.errors import FieldError, UnprocessableContent
from procedure_catalog.localisation import Localiser
from procedure_catalog.models import (
    AuthorityLevel,
    ChangeAction,
    Channel,
    OnlineLevel,
    ProcedureVersion,
    VersionStatus,
)
from procedure_catalog.stats.repository import StatsRepository
from procedure_catalog.stats.rules import announced_in_time
from procedure_catalog.stats.schemas import AnnouncementCounts, CatalogueStats, CountByReference, PeriodChanges

V = ProcedureVersion


class StatsService:
    def __init__(self, repository: StatsRepository) -> None:
        self.repository = repository

    async def on(
        self,
        day: dt.date,
        localiser: Localiser,
        *,
        field_code: str | None = None,
        agency_code: str | None = None,
        since: dt.date | None = None,
    ) -> CatalogueStats:
        scope: list[ColumnElement[bool]] = []
        if field_code:
            scope.append(V.field_code == field_code)
        if agency_code:
            scope.append(V.agency_code == agency_code)
        flags = await self.repository.flags(day, scope)
        online_levels = dict(await self.repository.grouped(day, scope, V.online_level))
        legacy = dict(await self.repository.grouped(day, scope, V.legacy_online_level))
        levels = dict(await self.repository.grouped(day, scope, V.authority_level))
        by_field = await self.repository.grouped(day, scope, V.field_code, V.field_name_vi, V.field_name_en)
        by_agency = await self.repository.grouped(day, scope, V.agency_code, V.agency_name_vi, V.agency_name_en)
        decisions, changes = await self.repository.announcements(day)
        period = await self._changes(since, day, scope) if since is not None else None
        return CatalogueStats(
            as_of=day,
            total=flags["total"],
            by_status={VersionStatus.PUBLISHED: flags["published"], VersionStatus.ABOLISHED: flags["abolished"]},
            in_force=flags["published"],
            by_online_level={level: int(online_levels.get(level, 0)) for level in OnlineLevel},
            by_legacy_online_level={
                **{str(level): int(legacy.get(level, 0)) for level in range(1, 5)},
                "unset": int(legacy.get(None, 0)),
            },
            online_submission_legacy=flags["online_submission_legacy"],
            by_channel={channel: flags[column] for channel, column in _CHANNEL_FLAGS.items()},
            by_authority_level={level: int(levels.get(level, 0)) for level in AuthorityLevel},
            by_field=self._by_reference(by_field, localiser),
            by_agency=self._by_reference(by_agency, localiser),
            one_stop=flags["one_stop"],
            inter_agency=flags["inter_agency"],
            internal=flags["internal"],
            announcements=AnnouncementCounts(
                decisions=decisions,
                created=changes[ChangeAction.CREATE],
                amended=changes[ChangeAction.AMEND],
                abolished=changes[ChangeAction.ABOLISH],
            ),
            changes_in_period=period,
        )

    async def _changes(self, first: dt.date, last: dt.date, scope: list[ColumnElement[bool]]) -> PeriodChanges:
        if first > last:
            raise UnprocessableContent(
                "The period ends before it begins.",
                code="invalid_period",
                errors=[FieldError(field="since", location="query", message="must not be after `at`")],
            )
        decisions, changes = await self.repository.changes_between(first, last, scope)
        return PeriodChanges(
            from_=first,
            to=last,
            decisions=len(decisions),
            announced_in_time=sum(announced_in_time(signed, effective) for signed, effective in decisions),
            created=changes[ChangeAction.CREATE],
            amended=changes[ChangeAction.AMEND],
            abolished=changes[ChangeAction.ABOLISH],
        )

    @staticmethod
    def _by_reference(rows: list[tuple[object, ...]], localiser: Localiser) -> list[CountByReference]:
        # Names as published; a field renamed between versions shows one row per name.
        merged: dict[str, CountByReference] = {}
        for code, name_vi, name_en, count in rows:
            name = localiser.text(str(name_vi), str(name_en) if name_en else None)
            entry = merged.setdefault(str(code), CountByReference(code=str(code), name=name, count=0))
            entry.count += int(str(count))
        return sorted(merged.values(), key=lambda entry: (-entry.count, entry.code))


_CHANNEL_FLAGS = {Channel.IN_PERSON: "in_person", Channel.ONLINE: "online", Channel.POSTAL: "postal"}
