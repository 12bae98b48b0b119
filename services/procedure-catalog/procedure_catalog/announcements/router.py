"""HTTP for /api/v1/announcements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses
from motcua_kit.pagination import Page, Pagination
from procedure_catalog.announcements.repository import AnnouncementRepository
from procedure_catalog.announcements.schemas import (
    AnnouncementCreate,
    AnnouncementRead,
    AnnouncementSummary,
    ChangeRead,
)
from procedure_catalog.announcements.service import AnnouncementService
from procedure_catalog.dependencies import Language
from procedure_catalog.localisation import Localiser
from procedure_catalog.models import Announcement, AnnouncementChange, ChangeAction
from procedure_catalog.procedures.repository import ProcedureRepository
from procedure_catalog.reference.repository import ReferenceRepository

router = APIRouter(prefix="/announcements", tags=["announcement decisions"])


async def get_service(session: DBSession) -> AnnouncementService:
    return AnnouncementService(
        AnnouncementRepository(session), ProcedureRepository(session), ReferenceRepository(session)
    )


Service = Annotated[AnnouncementService, Depends(get_service)]


def announcement_summary(
    announcement: Announcement, counts: dict[ChangeAction, int], language: Localiser
) -> AnnouncementSummary:
    return AnnouncementSummary.model_validate(_summary(announcement, counts, language))


def _summary(announcement: Announcement, counts: dict[ChangeAction, int], language: Localiser) -> dict[str, object]:
    title = language.text(announcement.title_vi, announcement.title_en) if announcement.title_vi else None
    return {
        "id": announcement.id,
        "number": announcement.number,
        "title": title or announcement.title_en,
        "title_vi": announcement.title_vi,
        "title_en": announcement.title_en,
        "issuer": announcement.issuer,
        "signed_on": announcement.signed_on,
        "effective_on": announcement.effective_on,
        "source": announcement.source,
        "recorded_at": announcement.recorded_at,
        "created": counts[ChangeAction.CREATE],
        "amended": counts[ChangeAction.AMEND],
        "abolished": counts[ChangeAction.ABOLISH],
    }


def _read(announcement: Announcement, changes: Sequence[AnnouncementChange], language: Localiser) -> AnnouncementRead:
    counts = dict.fromkeys(ChangeAction, 0)
    for change in changes:
        counts[change.action] += 1
    return AnnouncementRead.model_validate(
        {
            **_summary(announcement, counts, language),
            "recorded_by": announcement.recorded_by,
            "changes": [
                ChangeRead(
                    position=c.position,
                    action=c.action,
                    procedure_code=c.procedure_code,
                    version=c.version_number,
                    note=c.note,
                )
                for c in changes
            ],
        }
    )


@router.get("", summary="List announcement decisions")
async def list_announcements(
    service: Service, page: Pagination, response: Response, language: Language
) -> Page[AnnouncementSummary]:
    """Decisions, the latest effective first, with how many procedures each created, amended, abolished. Public."""
    rows, total = await service.list(page)
    counts = await service.counts([a.id for a in rows])
    items = [announcement_summary(a, counts[a.id], language) for a in rows]
    language.set_header(response)
    return Page[AnnouncementSummary](items=items, total=total, page=page.page, size=page.size)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Record and apply an announcement decision",
    responses=problem_responses(409, 422),
)
async def create_announcement(
    body: AnnouncementCreate,
    service: Service,
    response: Response,
    language: Language,
    editor: Annotated[Principal, require_roles(Role.CATALOG_EDITOR)],
) -> AnnouncementRead:
    """Publish, amend and abolish procedures as the decision says, all or nothing. Needs `catalog_editor`.

    `create` and `amend` publish the procedure's open draft as a new version from `effective_on`;
    `abolish` marks it abolished from that day. If any change cannot be made, the answer is a 422
    naming each procedure at fault, and nothing is applied.
    """
    announcement = await service.record(body, editor.subject)
    _, changes = await service.get(announcement.id)
    response.headers["Location"] = f"/api/v1/announcements/{announcement.id}"
    read = _read(announcement, changes, language)
    language.set_header(response)
    return read


@router.get("/{announcement_id}", summary="Read an announcement decision", responses=problem_responses(404))
async def get_announcement(
    announcement_id: Annotated[int, Path(ge=1, le=2**31 - 1)], service: Service, response: Response, language: Language
) -> AnnouncementRead:
    """One decision with each change it made and the version that change produced. Public."""
    announcement, changes = await service.get(announcement_id)
    read = _read(announcement, changes, language)
    language.set_header(response)
    return read
