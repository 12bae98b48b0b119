"""Whether an announcement decision can make each of its changes. All of them, or none is applied."""

from __future__ import annotations

import datetime as dt

from procedure_catalog.models import ChangeAction, Procedure, ProcedureDraft, ProcedureVersion, VersionStatus
from procedure_catalog.procedures.rules import new_version_may_start


def change_refusal(  # noqa: PLR0911 - one return per rule reads best
    *,
    action: ChangeAction,
    code: str,
    procedure: Procedure | None,
    latest: ProcedureVersion | None,
    draft: ProcedureDraft | None,
    effective_on: dt.date,
) -> tuple[str, str] | None:
    """Why the decision cannot make this change, as ``(rule code, reason naming the procedure)``.

    - create: the procedure exists as a draft and was never published;
    - amend: it is published, not abolished, and its open draft amends the latest version;
    - abolish: it is published and not already abolished;
    - a new version starts after the latest one (rules.new_version_may_start).
    """
    if procedure is None:
        return "unknown_procedure", f"{code} is not in the catalogue"
    if action is ChangeAction.CREATE:
        if latest is not None:
            return "procedure_already_published", f"{code} is already published; amend it instead"
        if draft is None:
            return "no_open_draft", f"{code} has no draft to publish"
        return None
    if latest is None:
        return "unknown_procedure", f"{code} has never been published"
    if latest.status is VersionStatus.ABOLISHED:
        return "procedure_abolished", f"{code} was already abolished on {latest.valid_from.isoformat()}"
    if action is ChangeAction.AMEND:
        if draft is None:
            return "no_open_draft", f"{code} has no open draft holding the amendment"
        if draft.base_version != latest.number:
            return (
                "draft_out_of_date",
                f"the draft of {code} amends version {draft.base_version}, but version {latest.number} is the latest",
            )
    if not new_version_may_start(latest.valid_from, effective_on):
        return (
            "effective_date_too_early",
            f"{code}: version {latest.number} starts on {latest.valid_from.isoformat()}; "
            "a new version must start after it",
        )
    return None
