"""All SQL about invitations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from satisfaction_survey.models import Invitation


class InvitationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_dossier(self, dossier_code: str) -> Invitation | None:
        return await self.session.scalar(select(Invitation).where(Invitation.dossier_code == dossier_code))

    async def get_by_token_digest(self, digest: str) -> Invitation | None:
        return await self.session.scalar(select(Invitation).where(Invitation.token_hash == digest))

    async def add(self, invitation: Invitation) -> bool:
        """Insert; False when another request created the dossier's invitation at the same moment."""
        try:
            async with self.session.begin_nested():
                self.session.add(invitation)
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def flush(self) -> None:
        await self.session.flush()
