"""The committed OpenAPI documents are the code's, and no release is broken without a version bump."""

from __future__ import annotations

from motcua_tools.contracts import main


def test_committed_openapi_documents_match_the_code() -> None:
    assert main(["check"]) == 0, "run `make openapi` and commit contracts/openapi/"


def test_no_breaking_change_without_a_version_bump() -> None:
    assert main(["breaking"]) == 0
