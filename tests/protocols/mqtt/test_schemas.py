"""The committed JSON Schemas in docs/mqtt/schemas are the ones the payload models generate."""

from __future__ import annotations

from pathlib import Path

from qorgau.protocols.mqtt.schemas import json_schemas, render_schema, write_json_schemas
from tests.conftest import ROOT


def test_committed_json_schemas_are_the_generated_ones() -> None:
    directory = ROOT / "docs" / "mqtt" / "schemas"
    generated = json_schemas()
    assert sorted(path.name for path in directory.glob("*.json")) == sorted(generated)
    for name, schema in generated.items():
        assert (directory / name).read_text(encoding="utf-8") == render_schema(schema), (
            f"docs/mqtt/schemas/{name} is stale: python -m qorgau.protocols.mqtt.schemas docs/mqtt/schemas")


def test_schema_generator_writes_files(tmp_path: Path) -> None:
    written = write_json_schemas(tmp_path)
    assert {path.name for path in written} == {"access.json", "sos.json", "heartbeat.json", "gps.json"}
