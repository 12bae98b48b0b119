"""The reference lists: fields and agencies the procedures name, and the fixed authority levels."""

from __future__ import annotations

from collections.abc import Sequence

from motcua_kit.errors import FieldError, NotFound
from procedure_catalog.models import Agency, Field
from procedure_catalog.reference.repository import ReferenceRepository
from procedure_catalog.reference.schemas import AgencyWrite, FieldWrite


class ReferenceService:
    def __init__(self, repository: ReferenceRepository) -> None:
        self.repository = repository

    async def fields(self) -> Sequence[Field]:
        return await self.repository.all(Field)

    async def field(self, code: str) -> Field:
        found = await self.repository.get(Field, code)
        if found is None:
            raise NotFound(f"No field with code {code!r}.", code="field_not_found")
        return found

    async def put_field(self, code: str, data: FieldWrite) -> tuple[Field, bool]:
        """Create or rename a field. Published versions keep the names they were published with."""
        found = await self.repository.get(Field, code)
        if found is None:
            return await self.repository.add(Field(code=code, **data.model_dump())), True
        found.name_vi, found.name_en = data.name_vi, data.name_en
        await self.repository.flush()
        return found, False

    async def agencies(self) -> Sequence[Agency]:
        return await self.repository.all(Agency)

    async def agency(self, code: str) -> Agency:
        found = await self.repository.get(Agency, code)
        if found is None:
            raise NotFound(f"No agency with code {code!r}.", code="agency_not_found")
        return found

    async def put_agency(self, code: str, data: AgencyWrite) -> tuple[Agency, bool]:
        found = await self.repository.get(Agency, code)
        if found is None:
            return await self.repository.add(Agency(code=code, **data.model_dump())), True
        found.name_vi, found.name_en, found.authority_level = data.name_vi, data.name_en, data.authority_level
        await self.repository.flush()
        return found, False

    async def resolve(self, field_code: str, agency_code: str) -> tuple[Field | None, Agency | None, list[FieldError]]:
        """The field and agency a record names; a field error for each one that does not exist."""
        field = await self.repository.get(Field, field_code)
        agency = await self.repository.get(Agency, agency_code)
        errors = []
        if field is None:
            errors.append(
                FieldError(
                    field="field_code", message=f"no field {field_code!r} in /api/v1/fields", type="unknown_field"
                )
            )
        if agency is None:
            errors.append(
                FieldError(
                    field="agency_code", message=f"no agency {agency_code!r} in /api/v1/agencies", type="unknown_agency"
                )
            )
        return field, agency, errors
