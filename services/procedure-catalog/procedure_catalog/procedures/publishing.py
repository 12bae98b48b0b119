"""Writing versions: the one place where the published catalogue changes.

Announcement decisions and imports from the national database both come here. Each new version
closes the validity of the open one on its first day, so periods never overlap, and is announced by
its event (published, amended, abolished) in the same transaction (``procedure_catalog.events``),
which also raises the catalogue's revision (the key of cached search results).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua_kit.events.outbox import record_events
from procedure_catalog.events import STORE, version_event
from procedure_catalog.models import Agency, Announcement, Field, ProcedureVersion, VersionStatus
from procedure_catalog.procedures.repository import ProcedureRepository
from procedure_catalog.procedures.schemas import ProcedureContent
from procedure_catalog.procedures.versions import content_hash, stored_content, version_columns


class VersionWriter:
    """Collects the versions of one decision or import, then writes them and their events at once."""

    def __init__(self, repository: ProcedureRepository, announcement: Announcement) -> None:
        self.repository = repository
        self.announcement = announcement
        self._rows: list[dict[str, Any]] = []
        self._closing: list[tuple[int, dt.date]] = []

    def publish(
        self,
        *,
        procedure_id: int,
        code: str,
        latest: ProcedureVersion | None,
        content: ProcedureContent,
        field: Field,
        agency: Agency,
    ) -> int:
        """A new published version (the first, or an amendment of ``latest``); returns its number."""
        effective_on = self.announcement.effective_on
        number = self._close(latest, effective_on)
        stored = stored_content(content)
        self._rows.append(
            {
                "procedure_id": procedure_id,
                "number": number,
                "status": VersionStatus.PUBLISHED,
                "valid_from": effective_on,
                "valid_until": None,
                "announcement_id": self.announcement.id,
                "content": stored,
                "content_hash": content_hash(stored),
                **version_columns(code, content, field, agency),
            }
        )
        return number

    def abolish(self, *, latest: ProcedureVersion) -> int:
        """The abolished version: the last record, still readable, marked abolished from the decision's
        effective day."""
        effective_on = self.announcement.effective_on
        number = self._close(latest, effective_on)
        copied = {
            column.key: getattr(latest, column.key)
            for column in ProcedureVersion.__table__.columns
            if column.key not in {"id", "number", "status", "valid_from", "valid_until", "announcement_id"}
            and column.key != "published_at"
        }
        self._rows.append(
            {
                **copied,
                "number": number,
                "status": VersionStatus.ABOLISHED,
                "valid_from": effective_on,
                "valid_until": None,
                "announcement_id": self.announcement.id,
            }
        )
        return number

    def _close(self, latest: ProcedureVersion | None, effective_on: dt.date) -> int:
        if latest is None:
            return 1
        self._closing.append((latest.id, effective_on))
        return latest.number + 1

    async def write(self) -> None:
        """Close the replaced versions, add the new ones and record one event per new version."""
        if not self._rows and not self._closing:
            return
        await self.repository.close_versions(self._closing)
        await self.repository.add_versions(self._rows)
        await self.repository.raise_revision()
        events = [version_event(row, self.announcement.number) for row in self._rows]
        await record_events(self.repository.session, STORE, events)
        self._rows, self._closing = [], []
