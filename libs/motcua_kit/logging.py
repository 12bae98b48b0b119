"""Structured logs: one JSON object per line, with the request id, and no personal data.

Personal data (identity numbers, phone numbers, e-mail and postal addresses, names of
applicants) and secrets (tokens, passwords, tracking secrets) must never reach a log. Two guards:
keys with a sensitive name are masked wherever they appear in an event, and free text is scrubbed
of anything shaped like an identity number, a phone number, an e-mail address, a bearer token or a
random secret (40 or more URL-safe characters in a row, e.g. a survey link's token in a logged path).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import orjson
import structlog

from motcua_kit.context import current_request_id

MASK = "***"

SENSITIVE_KEYS = frozenset(
    {
        "address",
        "applicant",
        "applicant_name",
        "authorization",
        "cookie",
        "email",
        "full_name",
        "id_number",
        "identity_number",
        "password",
        "phone",
        "phone_number",
        "postal_address",
        "secret",
        "set-cookie",
        "token",
        "tracking_secret",
        "x-api-key",
    }
)

_PATTERNS = (
    re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),  # a JWT without its "Bearer"
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),  # e-mail
    re.compile(r"(?<![\w.-])(?:\+?84|0)\d{9,10}(?![\w-])"),  # Vietnamese phone numbers
    re.compile(r"(?<![\w.-])\d{9}(?:\d{3})?(?![\w-])"),  # 9-digit CMND, 12-digit CCCD
    # Random secrets carried in paths (a survey invitation's token); uuid hex ids are 32 and stay readable.
    re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{40,}(?![A-Za-z0-9_-])"),
)


_NOT_SCRUBBED = frozenset({"timestamp", "request_id", "level", "logger", "service"})


def scrub_text(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def _scrub(value: Any, depth: int = 0) -> Any:
    if depth > 6:
        return value
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return {k: (MASK if str(k).lower() in SENSITIVE_KEYS else _scrub(v, depth + 1)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(v, depth + 1) for v in value]
    return value


def redact_personal_data(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask sensitive keys and scrub free text."""
    for key in list(event_dict):
        if key.lower() in SENSITIVE_KEYS:
            event_dict[key] = MASK
        elif key not in _NOT_SCRUBBED:
            event_dict[key] = _scrub(event_dict[key])
    return event_dict


def _add_request_id(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    request_id = current_request_id()
    if request_id and "request_id" not in event_dict:
        event_dict["request_id"] = request_id
    return event_dict


def _orjson_dumps(value: Any, **_kw: Any) -> str:
    return orjson.dumps(value, default=str).decode()


_configured: list[tuple[str, str, bool]] = []


def configure_logging(service: str, *, level: str = "INFO", json: bool = True) -> None:
    """Route structlog and the standard library (uvicorn, SQLAlchemy) through one redacting pipeline."""
    if _configured and _configured[-1] == (service, level, json):
        return
    _configured.append((service, level, json))

    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request_id,
        structlog.processors.format_exc_info,
        redact_personal_data,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(serializer=_orjson_dumps)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        # Drop a disabled level first: the redaction below is the costly part of a log call, and the
        # access log runs on every request.
        processors=[structlog.stdlib.filter_by_level, *shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _bind_service(service),
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The access log is ours (without query strings); uvicorn's would print them.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def _bind_service(service: str) -> Any:
    def processor(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event_dict.setdefault("service", service)
        return event_dict

    return processor


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
