"""Content language negotiation: Vietnamese by default, English where the content exists.

``Accept-Language`` picks the language (q-values honoured); the response says what it used in
``Content-Language``. Content missing in the chosen language falls back to Vietnamese, the
official text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Header, Response

DEFAULT_LANGUAGE = "vi"
SUPPORTED_LANGUAGES = ("vi", "en")

AcceptLanguage = Annotated[
    str | None,
    Header(alias="Accept-Language", description="`vi` (default) or `en`.", max_length=200),
]


def negotiate_language(accept_language: str | None, supported: Sequence[str] = SUPPORTED_LANGUAGES) -> str:
    """The supported language the client prefers most, or Vietnamese."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.split("-", 1)[0]
        if quality > 0 and (primary in supported or tag == "*"):
            ranked.append((quality, -position, DEFAULT_LANGUAGE if tag == "*" else primary))
    return max(ranked)[2] if ranked else DEFAULT_LANGUAGE


def localised(vietnamese: str, english: str | None, language: str) -> tuple[str, str]:
    """The text in ``language`` if it exists, else the Vietnamese text; with the language used."""
    if language == "en" and english:
        return english, "en"
    return vietnamese, "vi"


def set_content_language(response: Response, language: str) -> None:
    response.headers["Content-Language"] = language
