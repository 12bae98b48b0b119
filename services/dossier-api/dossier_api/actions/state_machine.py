"""The dossier's state machine: which action may run in which status, and where it leads.

The statuses are the national portal's ten (TrangThaiHoSo, see ``models/dossier.py``), one to one.
The table is the only place a transition is allowed; an action asked in any other status is a 409
``action_not_allowed`` naming the current status.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dossier_api.models import DossierStatus as S
from motcua_kit.auth import Role
from motcua_kit.errors import Conflict


class Action(StrEnum):
    RECEIVE = "receive"  # accept a dossier filed online (1 -> 2)
    REFUSE = "refuse"  # not received, with a written reason (-> 3)
    REQUEST_SUPPLEMENT = "request_supplement"  # once, listing every missing item (-> 5)
    COMPLETE_SUPPLEMENT = "complete_supplement"  # the applicant handed it in; the clock restarts
    ASSIGN = "assign"  # to a department or officer (-> 4)
    PAUSE = "pause"  # a suspension with its reason; the status stays
    RESUME = "resume"
    TRANSFER = "transfer"  # to another agency with its share of the deadline
    TRANSFER_RETURN = "transfer_return"  # that agency's part is done
    RESCHEDULE = "reschedule"  # apologise and set a new appointment, before the due date, once
    REQUEST_FEES = "request_fees"  # financial obligation (-> 6)
    RECORD_PAYMENT = "record_payment"  # (6 -> 4)
    RESOLVE = "resolve"  # result document number and date (-> 9)
    RETURN_RESULT = "return_result"  # in person, by post or online (9 -> 10)
    WITHDRAW = "withdraw"  # the applicant takes the dossier back (-> 7)
    STOP = "stop"  # processing stopped, with a reason (-> 8)


class Target(StrEnum):
    """Where an action leads when it is not one fixed status."""

    SAME = "same"  # the status does not change (pause, transfer, reschedule, ...)
    RESUME = "resume"  # back to the status the supplement request recorded


@dataclass(frozen=True, slots=True)
class Rule:
    sources: frozenset[S]
    target: S | Target
    roles: frozenset[Role]


_OPEN = frozenset({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_FEES})
_WORKING = frozenset({S.RECEIVED, S.PROCESSING})

TRANSITIONS: dict[Action, Rule] = {
    Action.RECEIVE: Rule(frozenset({S.REGISTERED}), S.RECEIVED, frozenset({Role.RECEPTION_OFFICER, Role.INTEGRATION})),
    Action.REFUSE: Rule(
        frozenset({S.REGISTERED, S.SUPPLEMENT_REQUESTED}), S.REFUSED, frozenset({Role.RECEPTION_OFFICER})
    ),
    Action.REQUEST_SUPPLEMENT: Rule(
        frozenset({S.REGISTERED, S.RECEIVED, S.PROCESSING}),
        S.SUPPLEMENT_REQUESTED,
        frozenset({Role.RECEPTION_OFFICER, Role.PROCESSING_OFFICER}),
    ),
    Action.COMPLETE_SUPPLEMENT: Rule(
        frozenset({S.SUPPLEMENT_REQUESTED}), Target.RESUME, frozenset({Role.RECEPTION_OFFICER, Role.INTEGRATION})
    ),
    Action.ASSIGN: Rule(_WORKING, S.PROCESSING, frozenset({Role.RECEPTION_OFFICER, Role.LEADER})),
    Action.PAUSE: Rule(_WORKING, Target.SAME, frozenset({Role.PROCESSING_OFFICER, Role.LEADER})),
    Action.RESUME: Rule(_WORKING, Target.SAME, frozenset({Role.PROCESSING_OFFICER, Role.LEADER})),
    Action.TRANSFER: Rule(_WORKING, S.PROCESSING, frozenset({Role.PROCESSING_OFFICER, Role.LEADER})),
    Action.TRANSFER_RETURN: Rule(
        frozenset({S.PROCESSING}), Target.SAME, frozenset({Role.PROCESSING_OFFICER, Role.LEADER, Role.INTEGRATION})
    ),
    Action.RESCHEDULE: Rule(
        frozenset({S.RECEIVED, S.PROCESSING, S.AWAITING_FEES}), Target.SAME, frozenset({Role.LEADER})
    ),
    Action.REQUEST_FEES: Rule(_WORKING, S.AWAITING_FEES, frozenset({Role.RECEPTION_OFFICER, Role.PROCESSING_OFFICER})),
    Action.RECORD_PAYMENT: Rule(
        frozenset({S.AWAITING_FEES}),
        S.PROCESSING,
        frozenset({Role.RECEPTION_OFFICER, Role.PROCESSING_OFFICER, Role.INTEGRATION}),
    ),
    Action.RESOLVE: Rule(_WORKING, S.RESOLVED, frozenset({Role.PROCESSING_OFFICER, Role.LEADER})),
    Action.RETURN_RESULT: Rule(frozenset({S.RESOLVED}), S.RETURNED, frozenset({Role.RECEPTION_OFFICER})),
    Action.WITHDRAW: Rule(
        frozenset({S.REGISTERED}) | _OPEN,
        S.WITHDRAWN,
        frozenset({Role.RECEPTION_OFFICER, Role.CITIZEN, Role.INTERMEDIARY}),
    ),
    Action.STOP: Rule(_OPEN, S.STOPPED, frozenset({Role.PROCESSING_OFFICER, Role.LEADER})),
}


def transition(action: Action, current: S, *, resume_status: S | None = None) -> S:
    """The status ``action`` leads to from ``current``; 409 ``action_not_allowed`` if the table forbids it."""
    rule = TRANSITIONS[action]
    if current not in rule.sources:
        allowed = ", ".join(sorted(s.value for s in rule.sources))
        raise Conflict(
            f"'{action.value}' is not allowed while the dossier is {current.value} (allowed in: {allowed}).",
            code="action_not_allowed",
            action=action.value,
            current_status=current.value,
        )
    if rule.target is Target.SAME:
        return current
    if rule.target is Target.RESUME:
        return resume_status or S.PROCESSING
    return rule.target


def allowed_actions(current: S) -> list[Action]:
    """The actions the table allows from ``current`` (role checks aside)."""
    return [action for action, rule in TRANSITIONS.items() if current in rule.sources]
