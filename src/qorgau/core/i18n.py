"""Server-side messages in Kazakh, Russian and English, keyed like the web app's ``errors.*`` keys."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from qorgau.core.settings import LANGUAGES, Language


@cache
def catalogue(language: Language) -> dict[str, str]:
    text = resources.files("qorgau.core").joinpath(f"locales/{language}.json").read_text(encoding="utf-8")
    data: dict[str, str] = json.loads(text)
    return data


def negotiate(accept_language: str | None, default: Language) -> Language:
    """Best of kk/ru/en for an Accept-Language header, by quality then order."""
    if not accept_language:
        return default
    choices: list[tuple[float, int, Language]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        for language in LANGUAGES:
            if primary == language:
                choices.append((-quality, index, language))
    return sorted(choices)[0][2] if choices else default


def translate(key: str, language: Language, **params: Any) -> str:
    """The message for ``key``; falls back to English, then to the key itself."""
    template = catalogue(language).get(key) or catalogue("en").get(key) or key
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
