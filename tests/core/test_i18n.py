import json
from pathlib import Path

import pytest

from qorgau.core.i18n import catalogue, negotiate, translate

LOCALES = Path(__file__).resolve().parents[2] / "src" / "qorgau" / "core" / "locales"


def test_server_catalogues_are_complete_in_all_languages() -> None:
    keys = {lang: set(json.loads((LOCALES / f"{lang}.json").read_text()).keys()) for lang in ("kk", "ru", "en")}
    assert keys["kk"] == keys["ru"] == keys["en"]
    for lang in ("kk", "ru", "en"):
        assert all(value.strip() for value in catalogue(lang).values())


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, "ru"), ("kk", "kk"), ("en-US,en;q=0.9", "en"), ("de, ru;q=0.5, kk;q=0.8", "kk"), ("fr", "ru")],
)
def test_negotiation(header: str | None, expected: str) -> None:
    assert negotiate(header, "ru") == expected


def test_translation_fills_parameters_and_falls_back() -> None:
    assert translate("auth.throttled", "en", retry_after=7) == "Too many failed attempts. Try again in 7 s."
    assert "7" in translate("auth.throttled", "kk", retry_after=7)
    assert translate("no.such.key", "ru") == "no.such.key"
