"""Named rules of feedback items (domain brief: "An unhappy answer should reach the agency as feedback to act on")."""

from __future__ import annotations

from motcua_kit.auth import Principal, Role
from satisfaction_survey.models import FeedbackStatus

FEEDBACK_ROLES = (Role.SURVEY_ADMIN, Role.LEADER, Role.PROCESSING_OFFICER, Role.RECEPTION_OFFICER)
ALL_AGENCIES_ROLES = frozenset({Role.SURVEY_ADMIN})

_NEXT: dict[FeedbackStatus, frozenset[FeedbackStatus]] = {
    FeedbackStatus.OPEN: frozenset({FeedbackStatus.ACKNOWLEDGED, FeedbackStatus.RESOLVED}),
    FeedbackStatus.ACKNOWLEDGED: frozenset({FeedbackStatus.RESOLVED}),
    FeedbackStatus.RESOLVED: frozenset(),
}


def agency_scope(principal: Principal) -> str | None:
    """Feedback goes to the agency it concerns: staff whose token names an agency handle that agency's
    items only. The survey administrator, and a token naming no agency (a one-agency deployment),
    handle all (None)."""
    if principal.has_any(ALL_AGENCIES_ROLES):
        return None
    return principal.agency


def may_handle(principal: Principal, agency_code: str) -> bool:
    scope = agency_scope(principal)
    return scope is None or scope == agency_code


def transition_allowed(current: FeedbackStatus, target: FeedbackStatus) -> bool:
    """open -> acknowledged -> resolved, or open -> resolved at once; a resolved item is closed."""
    return target in _NEXT[current]


def is_closed(status: FeedbackStatus) -> bool:
    """A resolved item no longer changes, its answer included."""
    return status is FeedbackStatus.RESOLVED


def resolution_needs_answer(target: FeedbackStatus, response_text: str | None) -> bool:
    """Resolving means the agency has answered: a resolved item carries its response text."""
    return target is FeedbackStatus.RESOLVED and not response_text
