from __future__ import annotations

import pytest

from motcua_kit.concurrency import check_if_match, etag_for
from motcua_kit.errors import PreconditionFailed, PreconditionRequired
from motcua_kit.i18n import localised, negotiate_language


def test_if_match_rules() -> None:
    current = etag_for("procedure", "1.000948", 3)
    assert current == '"procedure-1.000948-v3"'
    check_if_match(current, current)
    check_if_match("*", current)
    check_if_match(f'"x", W/{current}', current)
    with pytest.raises(PreconditionRequired):
        check_if_match(None, current)
    with pytest.raises(PreconditionFailed) as stale:
        check_if_match(etag_for("procedure", "1.000948", 2), current)
    assert stale.value.extra == {"current_etag": current}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "vi"),
        ("", "vi"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr, en;q=0.5", "en"),
        ("en;q=0.4, vi;q=0.8", "vi"),
        ("de", "vi"),
        ("*", "vi"),
        ("en;q=abc", "vi"),
        ("en;q=0", "vi"),
    ],
)
def test_language_negotiation(header: str | None, expected: str) -> None:
    assert negotiate_language(header) == expected


def test_missing_translation_falls_back_to_vietnamese() -> None:
    assert localised("Thẻ ABTC", None, "en") == ("Thẻ ABTC", "vi")
    assert localised("Thẻ ABTC", "ABTC card", "en") == ("ABTC card", "en")
    assert localised("Thẻ ABTC", "ABTC card", "vi") == ("Thẻ ABTC", "vi")
