"""HTTP for the processing actions: ``POST /api/v1/dossiers/{code}/<action>``, one endpoint each.

Every action needs the dossier's ETag in If-Match (428 without, 412 when stale): of two officers
acting at once, exactly one wins.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from dossier_api.actions.schemas import (
    AssignBody,
    FeesBody,
    NoteBody,
    PaymentBody,
    ReasonBody,
    RescheduleBody,
    ResolveBody,
    ReturnBody,
    SupplementCompleteBody,
    SupplementRequestBody,
    TransferBody,
)
from dossier_api.actions.service import ActionService
from dossier_api.actions.state_machine import TRANSITIONS, Action
from dossier_api.dossiers.router import get_service as get_dossier_service
from dossier_api.dossiers.schemas import DossierCode, DossierRead
from dossier_api.dossiers.service import DossierService
from dossier_api.dossiers.views import dossier_etag, to_read
from motcua_kit.auth import Principal, require_roles
from motcua_kit.concurrency import IfMatch, set_etag
from motcua_kit.errors import problem_responses

router = APIRouter(prefix="/dossiers", tags=["actions"])

CodePath = Annotated[DossierCode, Path(description="Dossier code, `<agency>-YYMMDD-NNNN`.")]
ERRORS = problem_responses(404, 409, 412, 428)


async def get_service(dossiers: Annotated[DossierService, Depends(get_dossier_service)]) -> ActionService:
    return ActionService(dossiers)


Service = Annotated[ActionService, Depends(get_service)]


def _roles(action: Action) -> Any:
    return require_roles(*sorted(TRANSITIONS[action].roles, key=lambda r: r.value))


async def _run(
    *,
    action: Action,
    code: str,
    body: Any,
    service: ActionService,
    principal: Principal,
    if_match: str | None,
    response: Response,
) -> DossierRead:
    dossier = await service.perform(action, code, principal, if_match, body)
    set_etag(response, dossier_etag(dossier))
    return to_read(dossier, principal)


@router.post("/{code}/receive", summary="Accept a dossier filed online", responses=ERRORS)
async def receive(
    *,
    code: CodePath,
    body: NoteBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.RECEIVE)],
) -> DossierRead:
    """Valid reception of a registered dossier: the clock starts and the due date is set (1 -> 2)."""
    return await _run(
        action=Action.RECEIVE,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/refuse", summary="Refuse a dossier", responses=ERRORS)
async def refuse(
    *,
    code: CodePath,
    body: ReasonBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.REFUSE)],
) -> DossierRead:
    """Not received, with the written reason (-> 3)."""
    return await _run(
        action=Action.REFUSE,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/supplement-request", summary="Request a supplement", responses=ERRORS)
async def request_supplement(
    *,
    code: CodePath,
    body: SupplementRequestBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.REQUEST_SUPPLEMENT)],
) -> DossierRead:
    """Once, listing every missing item; during processing, within 3 working days of reception (-> 5)."""
    return await _run(
        action=Action.REQUEST_SUPPLEMENT,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/supplement", summary="Record the supplement", responses=ERRORS)
async def complete_supplement(
    *,
    code: CodePath,
    body: SupplementCompleteBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.COMPLETE_SUPPLEMENT)],
) -> DossierRead:
    """The applicant handed in what was missing: the clock restarts and the due date is recounted."""
    return await _run(
        action=Action.COMPLETE_SUPPLEMENT,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/assign", summary="Assign to a department or officer", responses=ERRORS)
async def assign(
    *,
    code: CodePath,
    body: AssignBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.ASSIGN)],
) -> DossierRead:
    """Hand the dossier to a department (and officer) for processing (-> 4)."""
    return await _run(
        action=Action.ASSIGN,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/pause", summary="Pause the clock", responses=ERRORS)
async def pause(
    *,
    code: CodePath,
    body: ReasonBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.PAUSE)],
) -> DossierRead:
    """Suspend processing with a reason; the pause is kept as a period and moves the due date."""
    return await _run(
        action=Action.PAUSE,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/resume", summary="Resume the clock", responses=ERRORS)
async def resume(
    *,
    code: CodePath,
    body: NoteBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.RESUME)],
) -> DossierRead:
    """End the pause; the due date moves by the working time paused."""
    return await _run(
        action=Action.RESUME,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/transfer", summary="Transfer to another agency", responses=ERRORS)
async def transfer(
    *,
    code: CodePath,
    body: TransferBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.TRANSFER)],
) -> DossierRead:
    """Inter-agency one-stop: another agency does its part within its share of the deadline."""
    return await _run(
        action=Action.TRANSFER,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/transfer-return", summary="Record the other agency's part done", responses=ERRORS)
async def transfer_return(
    *,
    code: CodePath,
    body: NoteBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.TRANSFER_RETURN)],
) -> DossierRead:
    """The dossier comes back from the agency it was transferred to."""
    return await _run(
        action=Action.TRANSFER_RETURN,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/reschedule", summary="Apologise and reschedule", responses=ERRORS)
async def reschedule(
    *,
    code: CodePath,
    body: RescheduleBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.RESCHEDULE)],
) -> DossierRead:
    """Before the due date, at most once: an apology and a new appointment, later by working days."""
    return await _run(
        action=Action.RESCHEDULE,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/fees", summary="Request the fees", responses=ERRORS)
async def request_fees(
    *,
    code: CodePath,
    body: FeesBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.REQUEST_FEES)],
) -> DossierRead:
    """Ask the applicant to pay (financial obligation); the clock waits (-> 6)."""
    return await _run(
        action=Action.REQUEST_FEES,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/payment", summary="Record the payment", responses=ERRORS)
async def record_payment(
    *,
    code: CodePath,
    body: PaymentBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.RECORD_PAYMENT)],
) -> DossierRead:
    """The fees are paid (online, cash or bank transfer); processing goes on (6 -> 4)."""
    return await _run(
        action=Action.RECORD_PAYMENT,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/resolve", summary="Resolve the dossier", responses=ERRORS)
async def resolve(
    *,
    code: CodePath,
    body: ResolveBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.RESOLVE)],
) -> DossierRead:
    """The result is issued (number and date); the dossier is early, on time or late (-> 9)."""
    return await _run(
        action=Action.RESOLVE,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/return", summary="Return the result", responses=ERRORS)
async def return_result(
    *,
    code: CodePath,
    body: ReturnBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.RETURN_RESULT)],
) -> DossierRead:
    """In person, by post (with the tracking number) or online (9 -> 10)."""
    return await _run(
        action=Action.RETURN_RESULT,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/withdraw", summary="Withdraw the dossier", responses=ERRORS)
async def withdraw(
    *,
    code: CodePath,
    body: ReasonBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.WITHDRAW)],
) -> DossierRead:
    """The applicant (or the one-stop unit for them) takes the dossier back (-> 7)."""
    return await _run(
        action=Action.WITHDRAW,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )


@router.post("/{code}/stop", summary="Stop processing", responses=ERRORS)
async def stop(
    *,
    code: CodePath,
    body: ReasonBody,
    service: Service,
    response: Response,
    if_match: IfMatch = None,
    principal: Annotated[Principal, _roles(Action.STOP)],
) -> DossierRead:
    """Processing stops, with its reason (-> 8)."""
    return await _run(
        action=Action.STOP,
        code=code,
        body=body,
        service=service,
        principal=principal,
        if_match=if_match,
        response=response,
    )
