"""Texts in the language the client asked for (``Accept-Language``), Vietnamese where missing.

A record stores texts in pairs, ``x_vi`` and ``x_en``; a read adds ``x``, the text in the chosen
language, next to every pair at any depth, and remembers which languages it actually used so the
response can say so in ``Content-Language``. Other languages come from the record's
``translations`` (name, description and conditions).
"""

from __future__ import annotations

from typing import Any

from fastapi import Response

from motcua_kit.i18n import DEFAULT_LANGUAGE, localised, negotiate_language, set_content_language

_TRANSLATABLE = ("name", "description", "conditions")


class Localiser:
    def __init__(self, language: str) -> None:
        self.language = language
        self.used: set[str] = set()

    @classmethod
    def negotiate(cls, accept_language: str | None, extra_languages: tuple[str, ...] = ()) -> Localiser:
        return cls(negotiate_language(accept_language, ("vi", "en", *extra_languages)))

    def text(self, vietnamese: str, english: str | None) -> str:
        value, language = localised(vietnamese, english, self.language)
        self.used.add(language)
        return value

    def record(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add the localised text beside every ``*_vi``/``*_en`` pair of ``data`` (in place)."""
        self._add(data)
        translation = (data.get("translations") or {}).get(self.language)
        if translation:
            for key in _TRANSLATABLE:
                if translation.get(key):
                    data[key] = translation[key]
            self.used.add(self.language)
        return data

    def _add(self, node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                self._add(item)
            return
        if not isinstance(node, dict):
            return
        for key in [k for k in node if k.endswith("_vi")]:
            base = key.removesuffix("_vi")
            vietnamese = node[key]
            node[base] = None if vietnamese is None else self.text(vietnamese, node.get(base + "_en"))
        for key, value in node.items():
            if key != "translations" and isinstance(value, (list, dict)):
                self._add(value)

    @property
    def content_language(self) -> str:
        """For ``Content-Language``: the requested language first, then any fallback used."""
        used = self.used or {DEFAULT_LANGUAGE}
        return ", ".join(sorted(used, key=lambda language: (language != self.language, language)))

    def set_header(self, response: Response) -> None:
        set_content_language(response, self.content_language)
