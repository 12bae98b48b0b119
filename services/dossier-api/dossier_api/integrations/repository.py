"""SQL of the integrations: finding a dossier by its code on the system it was filed on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dossier_api.models import Dossier, ExternalSystem


class IntegrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_external_reference(self, system: ExternalSystem, reference: str) -> Dossier | None:
        statement = select(Dossier).where(Dossier.external_system == system, Dossier.external_reference == reference)
        return await self.session.scalar(statement)
