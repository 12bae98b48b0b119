"""The rules of the procedure catalogue: drafts, versions, reading and search. Never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Row

from motcua_kit.concurrency import check_if_match, etag_for
from motcua_kit.errors import (
    Conflict,
    FieldError,
    NotFound,
    PreconditionFailed,
    UnprocessableContent,
    field_errors_from_validation,
)
from motcua_kit.pagination import PageParams, SortKey
from procedure_catalog.models import (
    Agency,
    Announcement,
    ChangeAction,
    Field,
    Procedure,
    ProcedureDraft,
    ProcedureVersion,
    VersionStatus,
)
from procedure_catalog.procedures.diff import diff_records
from procedure_catalog.procedures.repository import ProcedureFilters, ProcedureRepository
from procedure_catalog.procedures.rules import content_rule_violations
from procedure_catalog.procedures.schemas import FieldChange, ProcedureContent, ProcedureCreate
from procedure_catalog.procedures.search import query_terms
from procedure_catalog.procedures.views import version_record
from procedure_catalog.reference.service import ReferenceService


def draft_etag(code: str, draft: ProcedureDraft) -> str:
    return etag_for("procedure-draft", code, draft.revision)


def version_etag(version: ProcedureVersion) -> str:
    return etag_for("procedure", version.code, version.number)


def merge_patch(target: Any, patch: Any) -> Any:
    """JSON Merge Patch (RFC 7386): objects merge, ``null`` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def invalid(
    errors: Sequence[FieldError], detail: str = "The procedure record breaks the catalogue's rules."
) -> Exception:
    """One problem for all the record's faults; its code is the rule's own when only one is broken."""
    code = errors[0].type if len(errors) == 1 else "invalid_procedure"
    return UnprocessableContent(detail, code=code, errors=errors)


@dataclass(frozen=True)
class DraftState:
    procedure: Procedure
    draft: ProcedureDraft
    field: Field
    agency: Agency


class ProcedureService:
    def __init__(self, repository: ProcedureRepository, references: ReferenceService, today: dt.date) -> None:
        self.repository = repository
        self.references = references
        self.today = today

    # --- drafts ---

    async def checked_content(self, content: ProcedureContent) -> tuple[Field, Agency]:
        """Apply the record's rules and resolve its field and agency, or raise one 422 listing every fault."""
        field, agency, errors = await self.references.resolve(content.field_code, content.agency_code)
        errors = content_rule_violations(content) + errors
        if errors:
            raise invalid(errors)
        assert field is not None
        assert agency is not None
        return field, agency

    async def create_draft(self, data: ProcedureCreate, editor: str) -> DraftState:
        """A new procedure starts as a draft; its code must be unused in the catalogue."""
        if await self.repository.get(data.code) is not None:
            raise Conflict(f"A procedure with code {data.code!r} already exists.", code="duplicate_procedure_code")
        content = ProcedureContent.model_validate(data.model_dump(exclude={"code"}))
        field, agency = await self.checked_content(content)
        procedure = await self.repository.add(Procedure(code=data.code))
        draft = await self.repository.add_draft(
            ProcedureDraft(
                procedure_id=procedure.id,
                base_version=None,
                content=content.model_dump(mode="json"),
                revision=1,
                updated_by=editor,
            )
        )
        return DraftState(procedure, draft, field, agency)

    async def _procedure(self, code: str) -> Procedure:
        procedure = await self.repository.get(code)
        if procedure is None:
            raise NotFound(f"No procedure with code {code!r}.", code="procedure_not_found")
        return procedure

    async def _state(self, procedure: Procedure, draft: ProcedureDraft) -> DraftState:
        content = ProcedureContent.model_validate(draft.content)
        field, agency, _ = await self.references.resolve(content.field_code, content.agency_code)
        # Both were checked when the draft was saved, and reference entries are never deleted.
        assert field is not None
        assert agency is not None
        return DraftState(procedure, draft, field, agency)

    async def draft(self, code: str) -> DraftState:
        procedure = await self._procedure(code)
        draft = await self.repository.draft(procedure.id)
        if draft is None:
            raise NotFound(f"Procedure {code} has no open draft.", code="no_open_draft")
        return await self._state(procedure, draft)

    async def open_amendment(self, code: str, editor: str) -> DraftState:
        """An amendment starts as a copy of the latest version; a procedure has one open draft at most."""
        procedure = await self._procedure(code)
        if await self.repository.draft(procedure.id) is not None:
            raise Conflict(f"Procedure {code} already has an open draft.", code="draft_exists")
        latest = await self.repository.latest(procedure.id)
        if latest is None:  # unreachable: a procedure without versions always has its draft
            raise NotFound(f"Procedure {code} has no published version.", code="procedure_not_found")
        if latest.status is VersionStatus.ABOLISHED:
            raise Conflict(
                f"Procedure {code} was abolished on {latest.valid_from}; it cannot be amended.",
                code="procedure_abolished",
            )
        draft = await self.repository.add_draft(
            ProcedureDraft(
                procedure_id=procedure.id,
                base_version=latest.number,
                content=dict(latest.content),
                revision=1,
                updated_by=editor,
            )
        )
        return await self._state(procedure, draft)

    async def edit_draft(self, code: str, patch: dict[str, Any], if_match: str | None, editor: str) -> DraftState:
        """Edit the open draft with a merge patch; the whole record is checked again afterwards."""
        procedure = await self._procedure(code)
        draft = await self.repository.draft(procedure.id)
        if draft is None:
            raise Conflict(
                f"Procedure {code} has no open draft, and a published version is never edited in place: "
                f"open a draft with POST /api/v1/procedures/{code}/draft.",
                code="published_version_immutable",
            )
        check_if_match(if_match, draft_etag(code, draft))
        if "code" in patch:
            raise UnprocessableContent(
                "The national code identifies the procedure and cannot change.",
                code="code_immutable",
                errors=[FieldError(field="code", message="cannot change", type="code_immutable")],
            )
        merged = merge_patch(draft.content, patch)
        try:
            content = ProcedureContent.model_validate(merged)
        except ValidationError as error:
            raise UnprocessableContent(
                "The edited record is invalid; see `errors`.",
                errors=field_errors_from_validation(error.errors(include_url=False)),
            ) from error
        await self.checked_content(content)
        if not await self.repository.replace_draft_content(
            draft, content.model_dump(mode="json"), draft.revision, editor
        ):
            raise PreconditionFailed(
                "The draft was saved by someone else meanwhile; read it again and reapply your change.",
                code="stale_version",
            )
        return await self._state(procedure, draft)

    async def discard_draft(self, code: str, if_match: str | None) -> None:
        """Throw the draft away; a procedure that was never published goes with it (its code is free again)."""
        state = await self.draft(code)
        check_if_match(if_match, draft_etag(code, state.draft))
        await self.repository.delete_drafts([state.procedure.id])
        if await self.repository.latest(state.procedure.id) is None:
            await self.repository.delete(state.procedure)

    async def drafts(self, page: PageParams) -> tuple[Sequence[tuple[ProcedureDraft, str]], int]:
        return await self.repository.list_drafts(page)

    # --- versions ---

    async def in_force(self, code: str, day: dt.date | None) -> tuple[ProcedureVersion, Announcement]:
        """The version in force on ``day`` (today by default); an abolished procedure answers, marked so."""
        day = day or self.today
        found = await self.repository.version_on(code, day)
        if found is not None:
            return found
        procedure = await self.repository.get(code)
        if procedure is None or await self.repository.latest(procedure.id) is None:
            raise NotFound(f"No procedure with code {code!r}.", code="procedure_not_found")
        raise NotFound(f"Procedure {code} has no version in force on {day.isoformat()}.", code="no_version_in_force")

    async def _published(self, code: str) -> Procedure:
        procedure = await self.repository.get(code)
        if procedure is None or await self.repository.latest(procedure.id) is None:
            raise NotFound(f"No procedure with code {code!r}.", code="procedure_not_found")
        return procedure

    async def history(self, code: str) -> Sequence[tuple[ProcedureVersion, Announcement, ChangeAction]]:
        return await self.repository.history((await self._published(code)).id)

    async def version(self, code: str, number: int) -> tuple[ProcedureVersion, Announcement]:
        procedure = await self._published(code)
        found = await self.repository.version(procedure.id, number)
        if found is None:
            raise NotFound(f"Procedure {code} has no version {number}.", code="version_not_found")
        return found

    async def diff(self, code: str, number: int) -> tuple[ProcedureVersion, ProcedureVersion | None, list[FieldChange]]:
        """What version ``number`` changed from the one before it (everything, for the first)."""
        procedure = await self._published(code)
        found = await self.repository.version(procedure.id, number)
        if found is None:
            raise NotFound(f"Procedure {code} has no version {number}.", code="version_not_found")
        previous = await self.repository.version(procedure.id, number - 1) if number > 1 else None
        before = version_record(previous[0]) if previous else None
        changes = diff_records(before, version_record(found[0]))
        return found[0], previous[0] if previous else None, changes

    # --- lists and search ---

    async def revision(self) -> int | None:
        return await self.repository.revision()

    async def search(
        self, filters: ProcedureFilters, query: str | None, sort: Sequence[SortKey], page: PageParams
    ) -> tuple[Sequence[Row[Any]], int]:
        terms = query_terms(query) if query else []
        if query and not terms:
            raise UnprocessableContent(
                "The search has no letters or digits.",
                errors=[
                    FieldError(field="q", location="query", message="needs a letter or digit", type="empty_search")
                ],
            )
        exact = query.strip() if query else None
        return await self.repository.search(filters, terms, sort, page, exact_code=exact)
