from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class PortalSyncRead(BaseModel):
    """Where a dossier stands with the National Public Service Portal."""

    dossier_code: str
    enabled: bool = Field(description="A national portal subscription exists and is active.")
    portal_code: str = Field(description="MaHoSo on the portal (its own code for a dossier filed there).")
    created_on_portal: bool
    steps_sent: int = Field(description="Timeline entries sent as progress steps (CapNhatTienDoHoSoMC).")
    attempts: int
    last_attempt_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error: str | None
    pending_events: int = Field(description="Events of this dossier waiting for (or retrying) the portal.")
    dead_events: int = Field(description="Events whose tries ran out; they hold back this dossier's sync.")
    in_step: bool = Field(description="The portal holds the dossier as it is now: nothing pending, no error.")
