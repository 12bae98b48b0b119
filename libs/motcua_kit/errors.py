"""Problem details (RFC 9457) for every error a motcua service answers.

The error tree::

    ProblemError                      any error with a status and a stable machine `code`
    ├── BadRequest                    400  bad_request, malformed_body
    ├── Unauthorized                  401  unauthorized, invalid_token
    ├── Forbidden                     403  forbidden
    ├── NotFound                      404  not_found
    ├── MethodNotAllowed              405  method_not_allowed
    ├── Conflict                      409  conflict, integrity_conflict (a race caught by a constraint), ...
    ├── Gone                          410  gone
    ├── PreconditionFailed            412  precondition_failed (stale If-Match)
    ├── PayloadTooLarge               413  payload_too_large
    ├── UnsupportedMediaType          415  unsupported_media_type
    ├── UnprocessableContent          422  validation_error, or a named domain rule
    ├── PreconditionRequired          428  precondition_required (If-Match missing)
    ├── TooManyRequests               429  rate_limited (with Retry-After)
    ├── BadGateway                    502  bad_gateway
    ├── ServiceUnavailable            503  service_unavailable, not_ready, database_busy,
    │   │                                  database_unavailable (Retry-After)
    │   └── DatabaseUnavailable       503  database_unavailable: refused, unreachable, timed out (Retry-After)
    └── GatewayTimeout                504  gateway_timeout
    (anything else)                   500  internal_error, without details

A problem document has the RFC members ``type``, ``title``, ``status``, ``detail``, ``instance`` and
the extensions ``code`` (stable, for machines), ``request_id`` and, for validation problems,
``errors``: one ``{field, location, message, type}`` per offending field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Send

from motcua_kit.context import current_request_id

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TYPE_PREFIX = "urn:motcua:problem:"


class FieldError(BaseModel):
    """One invalid input."""

    field: str = Field(description="Dotted path of the field, e.g. `applicant.phone` or `documents.0.copies`.")
    location: str = Field(default="body", description="body, query, path or header.")
    message: str
    type: str = Field(default="invalid", description="Machine name of the check that failed.")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(description="URI naming the problem type.", examples=["urn:motcua:problem:not_found"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str = Field(description="Stable machine-readable code.", examples=["not_found"])
    request_id: str | None = None
    errors: list[FieldError] | None = None

    model_config = {"extra": "allow"}


class ProblemError(Exception):
    """Base of every error answered as problem+json."""

    status: ClassVar[int] = 500
    default_code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal server error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: Sequence[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.code = code or self.default_code
        self.errors = list(errors) if errors else None
        self.headers = dict(headers or {})
        self.extra = extra


class BadRequest(ProblemError):
    status, default_code, title = 400, "bad_request", "Bad request"


class Unauthorized(ProblemError):
    status, default_code, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, *, code: str | None = None, **kwargs: Any) -> None:
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"' if code == "invalid_token" else "Bearer"}
        super().__init__(detail, code=code, headers=headers, **kwargs)


class Forbidden(ProblemError):
    status, default_code, title = 403, "forbidden", "Forbidden"


class NotFound(ProblemError):
    status, default_code, title = 404, "not_found", "Not found"


class MethodNotAllowed(ProblemError):
    status, default_code, title = 405, "method_not_allowed", "Method not allowed"


class Conflict(ProblemError):
    status, default_code, title = 409, "conflict", "Conflict"


class Gone(ProblemError):
    status, default_code, title = 410, "gone", "Gone"


class PreconditionFailed(ProblemError):
    status, default_code, title = 412, "precondition_failed", "Precondition failed"


class PayloadTooLarge(ProblemError):
    status, default_code, title = 413, "payload_too_large", "Payload too large"


class UnsupportedMediaType(ProblemError):
    status, default_code, title = 415, "unsupported_media_type", "Unsupported media type"


class UnprocessableContent(ProblemError):
    status, default_code, title = 422, "validation_error", "Invalid input"


class PreconditionRequired(ProblemError):
    status, default_code, title = 428, "precondition_required", "Precondition required"


class TooManyRequests(ProblemError):
    status, default_code, title = 429, "rate_limited", "Too many requests"


class BadGateway(ProblemError):
    status, default_code, title = 502, "bad_gateway", "Bad gateway"


class ServiceUnavailable(ProblemError):
    status, default_code, title = 503, "service_unavailable", "Service unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached or stopped answering; the request wrote nothing."""

    default_code = "database_unavailable"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": "1"})
        super().__init__(detail or "The database cannot be reached; retry shortly.", **kwargs)


class GatewayTimeout(ProblemError):
    status, default_code, title = 504, "gateway_timeout", "Gateway timeout"


_BY_STATUS: dict[int, type[ProblemError]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        Gone,
        PreconditionFailed,
        PayloadTooLarge,
        UnsupportedMediaType,
        UnprocessableContent,
        PreconditionRequired,
        TooManyRequests,
        BadGateway,
        ServiceUnavailable,
        GatewayTimeout,
    )
}


def problem_body(
    status: int,
    code: str,
    *,
    title: str | None = None,
    detail: str | None = None,
    instance: str | None = None,
    errors: Sequence[FieldError] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> bytes:
    """Serialise one problem document."""
    cls = _BY_STATUS.get(status)
    document: dict[str, Any] = {
        "type": f"{_TYPE_PREFIX}{code}",
        "title": title or (cls.title if cls else "Error"),
        "status": status,
        "code": code,
    }
    if detail:
        document["detail"] = detail
    if instance:
        document["instance"] = instance
    request_id = current_request_id()
    if request_id:
        document["request_id"] = request_id
    if errors:
        document["errors"] = [e.model_dump() for e in errors]
    if extra:
        for key, value in extra.items():
            document.setdefault(key, value)
    return orjson.dumps(document)


def problem_response(
    status: int,
    code: str,
    *,
    detail: str | None = None,
    instance: str | None = None,
    errors: Sequence[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
    title: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    body = problem_body(status, code, title=title, detail=detail, instance=instance, errors=errors, extra=extra)
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=dict(headers or {}))


async def send_problem(
    send: Send,
    status: int,
    code: str,
    *,
    detail: str,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Answer from raw ASGI middleware, before any route runs."""
    body = problem_body(status, code, detail=detail, extra=extra)
    raw_headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    raw_headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def field_errors_from_validation(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """Turn pydantic/FastAPI error entries into ``{field, location, message, type}``."""
    result: list[FieldError] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc and loc[0] in {"body", "query", "path", "header", "cookie"} else "body"
        parts = loc[1:] if loc and loc[0] == location else loc
        message = str(error.get("msg", "invalid value"))
        # pydantic prefixes custom validator messages with "Value error, "; the client needs only the reason.
        message = message.removeprefix("Value error, ")
        result.append(
            FieldError(
                field=".".join(parts) or location,
                location=location,
                message=message,
                type=str(error.get("type", "invalid")),
            )
        )
    return result


async def _problem_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        exc.code,
        title=exc.title,
        detail=exc.detail,
        instance=request.url.path,
        errors=exc.errors,
        headers=exc.headers,
        extra=exc.extra,
    )


async def _validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in raw):
        return problem_response(
            400, "malformed_body", detail="The request body is not valid JSON.", instance=request.url.path
        )
    return problem_response(
        422,
        "validation_error",
        detail="The request has invalid fields; see `errors`.",
        instance=request.url.path,
        errors=field_errors_from_validation(raw),
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


async def _integrity_error_handler(request: Request, exc: Exception) -> Response:
    # A constraint caught a race the service's own checks could not see (two writers at once).
    return problem_response(
        409,
        "integrity_conflict",
        detail="The change conflicts with data written at the same time; read again and retry.",
        instance=request.url.path,
    )


async def _database_unavailable_handler(request: Request, exc: Exception) -> Response:
    busy = isinstance(exc, SQLAlchemyTimeoutError) or "locked" in str(exc)
    return problem_response(
        503,
        "database_busy" if busy else "database_unavailable",
        detail="The database is busy; retry shortly." if busy else "The database cannot be reached; retry shortly.",
        instance=request.url.path,
        headers={"Retry-After": "1"},
    )


async def _http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error" if exc.status_code < 500 else "internal_error")
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No resource at {request.url.path}."
    return problem_response(exc.status_code, code, detail=detail, instance=request.url.path, headers=exc.headers)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    app.add_exception_handler(IntegrityError, _integrity_error_handler)
    app.add_exception_handler(SQLAlchemyTimeoutError, _database_unavailable_handler)
    app.add_exception_handler(OperationalError, _database_unavailable_handler)
    app.add_exception_handler(InterfaceError, _database_unavailable_handler)
    app.add_exception_handler(ConnectionError, _database_unavailable_handler)
    # Unexpected exceptions are answered by RequestContextMiddleware, which keeps the request id header.


_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing or invalid bearer token",
    403: "The caller lacks the required role",
    404: "Not found",
    409: "Conflicts with the current state",
    410: "No longer available",
    412: "If-Match does not match the current version",
    413: "Request body too large",
    415: "Unsupported content type",
    422: "Invalid input; `errors` lists each field",
    428: "If-Match is required",
    429: "Too many requests",
    500: "Unexpected error",
    503: "Temporarily unavailable",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the given statuses, all as problem+json.

    The `Problem` schema they point to is added to the document by the kit's app factory.
    """
    return {
        status: {
            "description": _DESCRIPTIONS.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
