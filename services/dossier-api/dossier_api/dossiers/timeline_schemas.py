from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from dossier_api.models import DossierStatus


class TimelineEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: dt.datetime
    action: str
    status_before: DossierStatus | None
    status_after: DossierStatus
    actor_subject: str
    actor_name: str | None
    actor_role: str
    actor_unit: str | None
    actor_agency: str | None
    note: str | None
    details: dict[str, Any] | None
    step_deadline: dt.datetime | None
