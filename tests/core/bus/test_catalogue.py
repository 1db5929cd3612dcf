from pathlib import Path

from qorgau import domains
from qorgau.core.bus.catalogue import render
from qorgau.core.bus.types import registered

DOC = Path(__file__).resolve().parents[3] / "docs" / "events.md"


def test_catalogue_lists_every_domain_event_with_fields() -> None:
    domains.load_events()
    text = render()
    declared = [kind for name, kind in registered().items() if not name.startswith("testing.")]
    assert declared
    for kind in declared:
        assert f"## `{kind.name}` (v{kind.version})" in text
        for field in kind.payload.model_fields:
            assert f"| `{field}` |" in text


def test_committed_catalogue_is_up_to_date() -> None:
    domains.load_events()
    assert DOC.read_text(encoding="utf-8") == render(), "docs/events.md is stale: run `qorgau events catalogue`"
