"""NUL characters (U+0000) in text input are a validation error that names the field.

PostgreSQL cannot store NUL in text: the statement fails and the request would end in a 500, while
SQLite stores it. No real input carries one (it is how fuzzers and injection attempts look), so every
service refuses it up front, the same on both databases: path parameters, the query parameters an
operation declares, and the strings and keys of a JSON body.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute

from motcua_kit.errors import FieldError, UnprocessableContent

NUL = "\x00"
MESSAGE = "must not contain the NUL character (U+0000)"
ERROR_TYPE = "string_nul_character"
# In JSON, NUL can only be written escaped; a body without this sequence has none.
_ESCAPED_NUL = b"\\u0000"


def nul_paths(value: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    """The dotted path of every string (or object key) in a JSON value that contains NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield ".".join(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                yield ".".join((*path, key.replace(NUL, "\\u0000")))
            else:
                yield from nul_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nul_paths(item, (*path, str(index)))


def json_nul_paths(raw: bytes) -> list[str]:
    """:func:`nul_paths` of a JSON document; nothing when it is not valid JSON (its parser says so)."""
    if _ESCAPED_NUL not in raw:
        return []
    try:
        document = json.loads(raw)
    except ValueError:
        return []
    return list(nul_paths(document))


def _declared_query_names(request: Request) -> set[str]:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return set()
    names: set[str] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        names.update(param.alias for param in dependant.query_params)
        stack.extend(dependant.dependencies)
    return names


async def reject_nul_characters(request: Request) -> None:
    """An app-wide dependency: refuse NUL in the route's inputs with a 422 that names each field."""
    errors = [
        FieldError(field=name, location="path", message=MESSAGE, type=ERROR_TYPE)
        for name, value in request.path_params.items()
        if isinstance(value, str) and NUL in value
    ]
    query = request.query_params
    if any(NUL in value for value in query.values()):
        # Undeclared parameters are ignored like any other the operation does not read.
        declared = _declared_query_names(request)
        errors += [
            FieldError(field=name, location="query", message=MESSAGE, type=ERROR_TYPE)
            for name in query
            if name in declared and any(NUL in value for value in query.getlist(name))
        ]
    route = request.scope.get("route")
    content_type = request.headers.get("content-type", "")
    if isinstance(route, APIRoute) and route.body_field is not None and "json" in content_type:
        # FastAPI has read the body already for the route's own validation; this is its cached copy.
        errors += [
            FieldError(field=path or "body", location="body", message=MESSAGE, type=ERROR_TYPE)
            for path in json_nul_paths(await request.body())
        ]
    if errors:
        raise UnprocessableContent("The request has invalid fields; see `errors`.", errors=errors)
