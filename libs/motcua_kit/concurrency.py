"""Optimistic concurrency with ETag and If-Match (RFC 9110 section 13.1.1).

A resource that can be edited carries a version number; its ETag is derived from it. A client
that edits must send back the ETag it read in ``If-Match``: a missing header is 428, a stale one
412, so two editors never overwrite each other silently.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from motcua_kit.errors import PreconditionFailed, PreconditionRequired


def etag_for(kind: str, key: str | int, version: int) -> str:
    """A strong ETag naming the resource and its version, e.g. ``"procedure-1.000948-v3"``."""
    return f'"{kind}-{key}-v{version}"'


def set_etag(response: Response, etag: str) -> None:
    response.headers["ETag"] = etag


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag of the version being edited, as last read. Required for edits.",
        max_length=200,
    ),
]


def check_if_match(if_match: str | None, current_etag: str) -> None:
    """Raise 428 without ``If-Match`` and 412 when it names another version (``*`` matches any)."""
    if if_match is None:
        raise PreconditionRequired(
            "Send the ETag you last read in If-Match to edit this resource.", code="if_match_required"
        )
    candidates = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in candidates and current_etag not in candidates:
        raise PreconditionFailed(
            "The resource changed since you read it; read it again and reapply your change.",
            code="stale_version",
            current_etag=current_etag,
        )
