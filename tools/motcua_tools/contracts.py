"""The committed API contracts: each service's OpenAPI document and the gateway's combined one.

    python -m motcua_tools.contracts dump       write contracts/openapi/<name>.json from the code, and the
                                                gateway's consumer schemas contracts/consumers/gateway.*.json
    python -m motcua_tools.contracts check      fail if a committed document differs from the code
    python -m motcua_tools.contracts breaking   fail on a breaking change against the last release,
                                                unless the version was bumped (major; minor under 0.x)
    python -m motcua_tools.contracts release    keep the current documents as released versions

What counts as breaking (for a client written against the released document): a removed path,
operation or success response; a new required parameter or request property; a removed request
property where no extra properties are allowed; a changed type; enum values removed from a request;
a response property removed or no longer required; a public operation that now needs a token.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from dossier_api.config import DossierSettings
from dossier_api.main import create_app as dossier_app
from motcua_gateway.config import GatewaySettings
from motcua_gateway.main import create_app as gateway_app
from motcua_gateway.openapi import merge_documents
from motcua_gateway.reports.inputs import CatalogueStatsInput, DossierStatsInput, SurveyStatsInput
from motcua_gateway.routes import RouteTable, UpstreamName
from procedure_catalog.config import CatalogSettings
from procedure_catalog.main import create_app as catalog_app
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.main import create_app as survey_app

ROOT = Path(__file__).resolve().parents[2]
CURRENT = ROOT / "contracts" / "openapi"
CONSUMERS = ROOT / "contracts" / "consumers"
RELEASED = ROOT / "contracts" / "released"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def documents() -> dict[str, dict[str, Any]]:
    """Every contract, as the code describes it now (the gateway's composed offline)."""
    memory = {"url": "sqlite:///:memory:"}
    services = {
        "procedure-catalog": catalog_app(CatalogSettings(_env_file=None, database=memory)).openapi(),
        "dossier-api": dossier_app(DossierSettings(_env_file=None, database=memory)).openapi(),
        "satisfaction-survey": survey_app(SurveySettings(_env_file=None, database=memory)).openapi(),
    }
    merged = merge_documents(
        gateway_app(GatewaySettings(_env_file=None)).openapi(),
        {UpstreamName(name): document for name, document in services.items()},
        RouteTable(),
    )
    return {**services, "gateway": merged}


def consumer_schemas() -> dict[str, dict[str, Any]]:
    """What the gateway's reports read from each service's statistics (JSON Schema of its input models)."""
    inputs: dict[str, tuple[type[BaseModel], str, str]] = {
        "gateway.catalogue-stats": (CatalogueStatsInput, "procedure-catalog", "GET /api/v1/procedures/stats"),
        "gateway.dossier-stats": (DossierStatsInput, "dossier-api", "GET /api/v1/dossiers/stats"),
        "gateway.survey-stats": (SurveyStatsInput, "satisfaction-survey", "GET /api/v1/surveys/stats"),
    }
    schemas = {}
    for name, (model, service, operation) in inputs.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["description"] = (
            f"The fields the gateway's reports read from {service}'s `{operation}` (generated from"
            f" `motcua_gateway.reports.inputs.{model.__name__}` by `make openapi`; other fields are ignored)."
        )
        schemas[name] = schema
    return schemas


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- breaking changes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


class _Resolver:
    def __init__(self, document: dict[str, Any]) -> None:
        self.schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})

    def resolve(self, schema: Any, depth: int = 0) -> dict[str, Any]:
        """Follow $ref and merge a single-branch anyOf/allOf, enough to compare shapes."""
        if not isinstance(schema, dict) or depth > 20:
            return {}
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return self.resolve(self.schemas.get(name, {}), depth + 1)
        for key in ("allOf",):
            if key in schema and len(schema[key]) == 1:
                return self.resolve(schema[key][0], depth + 1)
        return schema

    def types(self, schema: Any) -> frozenset[str]:
        resolved = self.resolve(schema)
        if "anyOf" in resolved or "oneOf" in resolved:
            result: set[str] = set()
            for branch in resolved.get("anyOf", resolved.get("oneOf", [])):
                result |= self.types(branch)
            return frozenset(result)
        kind = resolved.get("type")
        if isinstance(kind, list):
            return frozenset(kind)
        if isinstance(kind, str):
            return frozenset({kind})
        if "enum" in resolved or "const" in resolved:
            return frozenset({"enum"})
        return frozenset({"object"} if "properties" in resolved else set())

    def properties(self, schema: Any) -> dict[str, Any]:
        resolved = self.resolve(schema)
        props: dict[str, Any] = dict(resolved.get("properties", {}))
        for branch in resolved.get("anyOf", []) + resolved.get("oneOf", []):
            props.update(self.resolve(branch).get("properties", {}))
        return props

    def required(self, schema: Any) -> frozenset[str]:
        return frozenset(self.resolve(schema).get("required", []))

    def enum(self, schema: Any) -> frozenset[str] | None:
        resolved = self.resolve(schema)
        values = resolved.get("enum")
        if values is None:
            for branch in resolved.get("anyOf", []):
                branch_values = self.resolve(branch).get("enum")
                if branch_values is not None:
                    values = (values or []) + branch_values
        return frozenset(map(str, values)) if values is not None else None


def _compare_request_schema(
    where: str, old: Any, new: Any, old_r: _Resolver, new_r: _Resolver, *, depth: int = 0
) -> Iterator[Change]:
    if depth > 8:
        return
    old_types, new_types = old_r.types(old), new_r.types(new)
    if old_types and new_types and not old_types <= new_types:
        yield Change(where, f"accepts {sorted(new_types)} instead of {sorted(old_types)}")
        return
    old_enum, new_enum = old_r.enum(old), new_r.enum(new)
    if old_enum is not None and new_enum is not None and old_enum - new_enum:
        yield Change(where, f"no longer accepts {sorted(old_enum - new_enum)}")
    old_props, new_props = old_r.properties(old), new_r.properties(new)
    for name in sorted(new_r.required(new) - old_r.required(old)):
        yield Change(f"{where}.{name}", "is newly required")
    closed = new_r.resolve(new).get("additionalProperties") is False
    for name in sorted(set(old_props) - set(new_props)):
        if closed:
            yield Change(f"{where}.{name}", "was removed and extra properties are refused")
    for name in sorted(set(old_props) & set(new_props)):
        yield from _compare_request_schema(
            f"{where}.{name}", old_props[name], new_props[name], old_r, new_r, depth=depth + 1
        )


def _compare_response_schema(
    where: str, old: Any, new: Any, old_r: _Resolver, new_r: _Resolver, *, depth: int = 0
) -> Iterator[Change]:
    if depth > 8:
        return
    old_types, new_types = old_r.types(old), new_r.types(new)
    if old_types and new_types and not new_types <= old_types | {"null"} and not old_types <= new_types:
        yield Change(where, f"returns {sorted(new_types)} instead of {sorted(old_types)}")
        return
    old_props, new_props = old_r.properties(old), new_r.properties(new)
    for name in sorted(set(old_props) - set(new_props)):
        yield Change(f"{where}.{name}", "was removed from the response")
    for name in sorted(old_r.required(old) - new_r.required(new)):
        if name in new_props:
            yield Change(f"{where}.{name}", "may now be missing from the response")
    for name in sorted(set(old_props) & set(new_props)):
        yield from _compare_response_schema(
            f"{where}.{name}", old_props[name], new_props[name], old_r, new_r, depth=depth + 1
        )
    old_items, new_items = old_r.resolve(old).get("items"), new_r.resolve(new).get("items")
    if old_items is not None and new_items is not None:
        yield from _compare_response_schema(f"{where}[]", old_items, new_items, old_r, new_r, depth=depth + 1)


def _json_schema(body: dict[str, Any] | None) -> Any:
    if not body:
        return None
    content = body.get("content", {})
    for media_type in ("application/json", *content):
        if media_type in content:
            return content[media_type].get("schema")
    return None


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """What a client of ``old`` would find broken in ``new``."""
    old_r, new_r = _Resolver(old), _Resolver(new)
    changes: list[Change] = []
    for path, old_item in old.get("paths", {}).items():
        new_item = new.get("paths", {}).get(path)
        if new_item is None:
            changes.append(Change(path, "was removed"))
            continue
        for method in METHODS:
            if method not in old_item:
                continue
            where = f"{method.upper()} {path}"
            old_op, new_op = old_item[method], new_item.get(method)
            if new_op is None:
                changes.append(Change(where, "was removed"))
                continue
            changes.extend(_compare_operation(where, old_op, new_op, old_r, new_r))
    return changes


def _compare_operation(
    where: str, old_op: dict[str, Any], new_op: dict[str, Any], old_r: _Resolver, new_r: _Resolver
) -> Iterator[Change]:
    if not old_op.get("security") and new_op.get("security"):
        yield Change(where, "now needs authentication")
    old_params = {(p["in"], p["name"]): p for p in old_op.get("parameters", [])}
    new_params = {(p["in"], p["name"]): p for p in new_op.get("parameters", [])}
    for key, param in new_params.items():
        if param.get("required") and not old_params.get(key, {}).get("required"):
            yield Change(f"{where} {key[0]} parameter {key[1]}", "is newly required")
    for key in set(old_params) & set(new_params):
        yield from _compare_request_schema(
            f"{where} {key[0]} parameter {key[1]}",
            old_params[key].get("schema"),
            new_params[key].get("schema"),
            old_r,
            new_r,
        )
    old_body, new_body = old_op.get("requestBody"), new_op.get("requestBody")
    if new_body and new_body.get("required") and not (old_body or {}).get("required"):
        yield Change(f"{where} body", "is newly required")
    if old_body and new_body:
        yield from _compare_request_schema(
            f"{where} body", _json_schema(old_body), _json_schema(new_body), old_r, new_r
        )
    old_ok = {s for s in old_op.get("responses", {}) if s.startswith("2")}
    new_ok = {s for s in new_op.get("responses", {}) if s.startswith("2")}
    for status in sorted(old_ok - new_ok):
        yield Change(f"{where} response {status}", "was removed")
    for status in sorted(old_ok & new_ok):
        yield from _compare_response_schema(
            f"{where} response {status}",
            _json_schema(old_op["responses"][status]),
            _json_schema(new_op["responses"][status]),
            old_r,
            new_r,
        )


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def version_allows_breaking(released: str, current: str) -> bool:
    """A breaking change needs a new major version (or, before 1.0, a new minor version)."""
    old, new = _version(released), _version(current)
    if not old or not new:
        return False
    if old[0] == 0:
        return new[:2] > old[:2]
    return new[0] > old[0]


def latest_release(name: str) -> tuple[str, dict[str, Any]] | None:
    folder = RELEASED / name
    if not folder.is_dir():
        return None
    releases = sorted(folder.glob("*.json"), key=lambda p: _version(p.stem))
    if not releases:
        return None
    return releases[-1].stem, json.loads(releases[-1].read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["dump", "check", "breaking", "release"])
    args = parser.parse_args(argv)
    current = documents()
    failures: list[str] = []
    for name, schema in consumer_schemas().items():
        target = CONSUMERS / f"{name}.schema.json"
        if args.command == "dump":
            target.write_text(render(schema), encoding="utf-8")
        elif args.command == "check" and (not target.exists() or target.read_text(encoding="utf-8") != render(schema)):
            failures.append(f"{target.relative_to(ROOT)} differs from the code: run `make openapi`")
    for name, document in current.items():
        target = CURRENT / f"{name}.json"
        if args.command == "dump":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render(document), encoding="utf-8")
        elif args.command == "check":
            if not target.exists() or target.read_text(encoding="utf-8") != render(document):
                failures.append(f"{target.relative_to(ROOT)} differs from the code: run `make openapi`")
        elif args.command == "release":
            version = document["info"]["version"]
            path = RELEASED / name / f"{version}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(document), encoding="utf-8")
        elif args.command == "breaking":
            release = latest_release(name)
            if release is None:
                continue
            released_version, released = release
            changes = breaking_changes(released, document)
            if changes and not version_allows_breaking(released_version, document["info"]["version"]):
                failures += [f"{name} {released_version} -> {document['info']['version']}: {c}" for c in changes]
    for failure in failures:
        sys.stderr.write(failure + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
