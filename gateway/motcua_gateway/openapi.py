"""One OpenAPI document for the whole public API, composed from the services' own documents.

Each service's document is fetched from the service, kept to the paths the route table sends it,
and merged: schemas that two services define identically (the kit's ``Problem``, say) appear
once; schemas that differ under one name are renamed ``<service>.<name>`` with their references.
A service that cannot be reached is left out and named in ``x-missing-upstreams``; its last good
document is used when there is one.

The gateway then states its own rules on every operation: the security schemes it accepts
(``bearerAuth``, ``apiKeyAuth``), ``security: []`` on public routes, the roles of the policy table
(``x-motcua-roles``) and the 429 of the rate limits. An operation without a policy row is dropped:
the gateway would answer 404 to it.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from motcua_gateway.policy import Policy, normalise_template
from motcua_gateway.routes import RouteTable, UpstreamName
from motcua_gateway.upstream import Upstream, UpstreamError
from motcua_kit.errors import problem_responses
from motcua_kit.logging import get_logger

log = get_logger("motcua.gateway.openapi")

_SCHEMA_REF = "#/components/schemas/"
FETCH_TIMEOUT_SECONDS = 3.0
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})

SECURITY_SCHEMES: dict[str, Any] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token of the identity provider (OIDC).",
    },
    "apiKeyAuth": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "The key of a system client (the city one-stop system, the national portal).",
    },
}


def _rewrite_refs(node: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_SCHEMA_REF):
                name = value[len(_SCHEMA_REF) :]
                result[key] = _SCHEMA_REF + renames.get(name, name)
            else:
                result[key] = _rewrite_refs(value, renames)
        return result
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def merge_documents(
    base: dict[str, Any], documents: Mapping[UpstreamName, dict[str, Any]], routes: RouteTable
) -> dict[str, Any]:
    """Merge service documents into ``base`` (the gateway's own document)."""
    merged = copy.deepcopy(base)
    paths: dict[str, Any] = merged.setdefault("paths", {})
    components: dict[str, Any] = merged.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    schemes: dict[str, Any] = components.setdefault("securitySchemes", {})
    tags: list[dict[str, Any]] = merged.setdefault("tags", [])
    known_tags = {t["name"] for t in tags}

    for name, document in documents.items():
        prefixes = routes.prefixes(name)
        their_schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
        renames = {
            schema: f"{name.value}.{schema}"
            for schema, definition in their_schemas.items()
            if schema in schemas and schemas[schema] != definition
        }
        for schema, definition in their_schemas.items():
            schemas[renames.get(schema, schema)] = _rewrite_refs(definition, renames)
        for scheme, definition in document.get("components", {}).get("securitySchemes", {}).items():
            schemes.setdefault(scheme, definition)
        for path, item in document.get("paths", {}).items():
            if any(path == p or path.startswith(p + "/") for p in prefixes):
                paths[path] = _rewrite_refs(item, renames)
        for tag in document.get("tags", []):
            if tag["name"] not in known_tags:
                tags.append(tag)
                known_tags.add(tag["name"])
    return merged


def apply_policy(document: dict[str, Any], policy: Policy) -> dict[str, Any]:
    """State the gateway's security, roles and rate limits on every operation; drop what it would 404."""
    rules = {(r.method.lower(), normalise_template(r.path)): r for r in policy}
    document.setdefault("components", {}).setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    schemes = document["components"]["securitySchemes"]
    schemes.pop("HTTPBearer", None)
    too_many = problem_responses(429)[429]
    for path in list(document.get("paths", {})):
        item = document["paths"][path]
        for method in [m for m in item if m in _METHODS]:
            rule = rules.get((method, normalise_template(path)))
            if rule is None:
                del item[method]
                continue
            operation = item[method]
            if rule.roles is None:
                operation["security"] = []
            else:
                operation["security"] = [{"bearerAuth": []}, {"apiKeyAuth": []}]
                operation["x-motcua-roles"] = sorted(r.value for r in rule.roles)
            operation.setdefault("responses", {}).setdefault("429", too_many)
        if not any(m in _METHODS for m in item):
            del document["paths"][path]
    return document


class OpenAPIComposer:
    def __init__(
        self,
        upstreams: Mapping[UpstreamName, Upstream],
        routes: RouteTable,
        own_document: Callable[[], dict[str, Any]],
        cache_seconds: int,
        policy: Policy,
    ) -> None:
        self.upstreams = upstreams
        self.routes = routes
        self.policy = policy
        self.own_document = own_document
        self.cache_seconds = cache_seconds
        self._last_good: dict[UpstreamName, dict[str, Any]] = {}
        self._merged: dict[str, Any] | None = None
        self._merged_at = 0.0
        self._lock = asyncio.Lock()

    async def _fetch(self, upstream: Upstream) -> dict[str, Any] | None:
        try:
            status, body = await upstream.fetch("/openapi.json", within=FETCH_TIMEOUT_SECONDS)
            if status != 200:
                raise ValueError(f"status {status}")
            document: dict[str, Any] = json.loads(body)
        except (UpstreamError, ValueError) as exc:
            log.warning("openapi fetch failed", upstream=upstream.name, error=type(exc).__name__)
            return None
        return document

    async def document(self) -> dict[str, Any]:
        if self._merged is not None and time.monotonic() - self._merged_at < self.cache_seconds:
            return self._merged
        async with self._lock:
            if self._merged is not None and time.monotonic() - self._merged_at < self.cache_seconds:
                return self._merged
            names = list(self.upstreams)
            fetched = await asyncio.gather(*(self._fetch(self.upstreams[n]) for n in names))
            missing = []
            for name, document in zip(names, fetched, strict=True):
                if document is not None:
                    self._last_good[name] = document
                elif name not in self._last_good:
                    missing.append(name.value)
            merged = apply_policy(merge_documents(self.own_document(), self._last_good, self.routes), self.policy)
            if missing:
                merged["x-missing-upstreams"] = missing
            else:
                # Only a complete document is worth reusing.
                self._merged, self._merged_at = merged, time.monotonic()
            return merged
