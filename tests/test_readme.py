"""The README's configuration reference names every setting."""

from pathlib import Path

from qorgau.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`QORGAU_{name.upper()}`" not in text]
    assert missing == []
