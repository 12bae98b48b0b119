"""Writing the process-control record: one immutable entry per step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from dossier_api.models import Dossier, DossierStatus, TimelineEntry
from motcua_kit.auth import Principal, Role


def acting_role(principal: Principal, roles: Iterable[Role]) -> str:
    """The role the caller acted in: the first of the action's roles they hold, else ``admin``."""
    for role in sorted(roles, key=lambda r: r.value):
        if role in principal.roles:
            return role.value
    return Role.ADMIN.value


def entry(
    dossier: Dossier,
    *,
    action: str,
    principal: Principal,
    role: str,
    at: dt.datetime,
    status_before: DossierStatus | None,
    note: str | None = None,
    details: dict[str, Any] | None = None,
    step_deadline: dt.datetime | None = None,
) -> TimelineEntry:
    return TimelineEntry(
        dossier_id=dossier.id,
        at=at,
        action=action,
        status_before=status_before,
        status_after=dossier.status,
        actor_subject=principal.subject,
        actor_name=principal.name,
        actor_role=role,
        actor_unit=principal.unit,
        actor_agency=principal.agency or dossier.current_agency or dossier.agency_code,
        note=note,
        details=details,
        step_deadline=step_deadline,
    )
