"""All SQL about responses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_kit.pagination import PageParams, Sortable, SortKey, apply_sort, paginate
from satisfaction_survey.models import Response, ResponseMode

SORTABLE: dict[str, Sortable] = {"submitted_at": Response.submitted_at, "dossier_code": Response.dossier_code}


class DuplicateResponse(Exception):
    """A unique constraint refused the response: ``what`` names which."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class ResponseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, response: Response) -> None:
        """Insert a response with its answers; raise :class:`DuplicateResponse` when the dossier was
        evaluated (or the paper form entered) by a request that committed first."""
        try:
            async with self.session.begin_nested():
                self.session.add(response)
                await self.session.flush()
        except IntegrityError as exc:
            raise DuplicateResponse("form_number" if "form_number" in str(exc.orig) else "dossier") from exc

    async def form_number_used(self, agency_code: str, form_number: str) -> bool:
        found = await self.session.scalar(
            select(Response.id).where(Response.agency_code == agency_code, Response.form_number == form_number)
        )
        return found is not None

    async def get(self, response_id: int) -> Response | None:
        return await self.session.get(Response, response_id)

    async def list(
        self,
        *,
        agency_code: str | None,
        procedure_code: str | None,
        mode: ResponseMode | None,
        dossier_code: str | None,
        since: dt.datetime | None,
        until: dt.datetime | None,
        sort: Sequence[SortKey],
        page: PageParams,
    ) -> tuple[Sequence[Response], int]:
        statement: Select[Any] = select(Response)
        if agency_code is not None:
            statement = statement.where(Response.agency_code == agency_code)
        if procedure_code is not None:
            statement = statement.where(Response.procedure_code == procedure_code)
        if mode is not None:
            statement = statement.where(Response.mode == mode)
        if dossier_code is not None:
            statement = statement.where(Response.dossier_code == dossier_code)
        if since is not None:
            statement = statement.where(Response.submitted_at >= since)
        if until is not None:
            statement = statement.where(Response.submitted_at < until)
        statement = apply_sort(statement, sort, SORTABLE).order_by(Response.id)
        return await paginate(self.session, statement, page)
