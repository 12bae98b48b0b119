"""The breaking-change check itself: it must catch what breaks a client, and only that."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from motcua_tools.contracts import breaking_changes, version_allows_breaking


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1.0.0"},
        "paths": {
            "/items": {
                "get": {
                    "parameters": [{"in": "query", "name": "kind", "required": False, "schema": {"enum": ["a", "b"]}}],
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}
                    },
                },
                "post": {
                    "security": [{"bearerAuth": []}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ItemIn"}}},
                    },
                    "responses": {
                        "201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}
                    },
                },
            }
        },
        "components": {
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["code", "name"],
                    "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "note": {"type": "string"}},
                },
                "ItemIn": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["code"],
                    "properties": {"code": {"type": "string"}, "count": {"type": "integer"}},
                },
            }
        },
    }


def changed(edit: Any) -> list[str]:
    new = copy.deepcopy(document())
    edit(new)
    return [str(c) for c in breaking_changes(document(), new)]


def test_identical_documents_have_no_breaking_change() -> None:
    assert breaking_changes(document(), document()) == []


def test_additions_are_not_breaking() -> None:
    def add(d: dict[str, Any]) -> None:
        d["paths"]["/other"] = {"get": {"responses": {"200": {}}}}
        d["components"]["schemas"]["Item"]["properties"]["extra"] = {"type": "integer"}
        d["components"]["schemas"]["ItemIn"]["properties"]["label"] = {"type": "string"}
        d["paths"]["/items"]["get"]["parameters"][0]["schema"]["enum"].append("c")

    assert changed(add) == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["paths"].pop("/items"), "/items: was removed"),
        (lambda d: d["paths"]["/items"].pop("post"), "POST /items: was removed"),
        (lambda d: d["components"]["schemas"]["Item"]["properties"].pop("note"), "was removed from the response"),
        (lambda d: d["components"]["schemas"]["Item"]["required"].remove("name"), "may now be missing"),
        (lambda d: d["components"]["schemas"]["ItemIn"]["required"].append("count"), "count: is newly required"),
        (lambda d: d["components"]["schemas"]["ItemIn"]["properties"].pop("count"), "extra properties are refused"),
        (lambda d: d["components"]["schemas"]["ItemIn"]["properties"]["count"].update(type="string"), "accepts"),
        (lambda d: d["paths"]["/items"]["get"]["parameters"][0]["schema"]["enum"].remove("b"), "no longer accepts"),
        (lambda d: d["paths"]["/items"]["get"]["parameters"][0].update(required=True), "is newly required"),
        (lambda d: d["paths"]["/items"]["get"].update(security=[{"bearerAuth": []}]), "now needs authentication"),
        (lambda d: d["paths"]["/items"]["post"]["responses"].pop("201"), "response 201: was removed"),
    ],
)
def test_breaking_edits_are_caught(edit: Any, expected: str) -> None:
    found = changed(edit)
    assert any(expected in change for change in found), found


@pytest.mark.parametrize(
    ("released", "current", "allowed"),
    [("1.2.0", "2.0.0", True), ("1.2.0", "1.3.0", False), ("0.1.0", "0.2.0", True), ("0.1.0", "0.1.5", False)],
)
def test_version_bumps(released: str, current: str, allowed: bool) -> None:
    assert version_allows_breaking(released, current) is allowed
