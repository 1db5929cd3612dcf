"""The evidence package verifies and detects every kind of tampering; the fines table finds the band."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qorgau.audit.signing import Signer
from qorgau.core.errors import ValidationFailed
from qorgau.roads.enforcement import evidence, fines


def _package(tmp_path: Path) -> tuple[Path, Signer]:
    signer = Signer(b"k" * 32)
    folder = tmp_path / "v1"
    evidence.write(folder, {"before.jpg": b"\xff\xd8one", "after.jpg": b"\xff\xd8two", "plate.png": b"png"},
                   {"violation_id": 1, "speed_kmh": 84.2}, signer)
    return folder, signer


def test_evidence_verifies_and_detects_tampering(tmp_path: Path) -> None:
    folder, signer = _package(tmp_path)
    assert evidence.verify(folder, signer.key_id) == []
    assert evidence.verify(folder, "someoneelse") == ["signature_untrusted_key"]
    (folder / "after.jpg").write_bytes(b"\xff\xd8edited")
    assert evidence.verify(folder) == ["changed:after.jpg"]


def test_evidence_detects_a_forged_manifest_and_added_or_missing_files(tmp_path: Path) -> None:
    folder, _ = _package(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["speed_kmh"] = 59.0
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "plate.png").unlink()
    (folder / "extra.jpg").write_bytes(b"x")
    assert evidence.verify(folder) == ["missing:plate.png", "unlisted:extra.jpg", "signature_invalid"]


def test_fines_table_bands() -> None:
    rules = fines.parse(fines.shipped())
    assert fines.rule_for(rules, "speed", 9.9) is None
    assert (rule := fines.rule_for(rules, "speed", 10.0)) is not None and (rule.article, rule.part) == ("592", "1")
    assert (rule := fines.rule_for(rules, "speed", 45.0)) is not None and rule.fine_mrp == 20
    assert (rule := fines.rule_for(rules, "red_light")) is not None and rule.article == "599"
    with pytest.raises(ValidationFailed) as caught:
        fines.parse({"rules": [{"kind": "parking", "article": "1", "part": "1", "fine_mrp": 1}, {"kind": "speed"}]})
    assert [e["field"] for e in caught.value.errors] == ["rules[0]", "rules[1]"]


def test_verify_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from qorgau.cli import app

    folder, signer = _package(tmp_path)
    runner = CliRunner()
    good = runner.invoke(app, ["violations", "verify", str(folder), "--key-id", signer.key_id])
    assert good.exit_code == 0 and "verified" in good.output
    (folder / "plate.png").write_bytes(b"other")
    bad = runner.invoke(app, ["violations", "verify", str(folder)])
    assert bad.exit_code != 0 and "changed:plate.png" in bad.output
