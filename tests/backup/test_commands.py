"""`qorgau backup`, `qorgau restore` and `qorgau audit verify` on the restored place, as an operator runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from qorgau.cli import app
from tests.cli_support import data_dir_from, run


def test_backup_restore_and_verify_from_the_command_line(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = data_dir_from(sqlite_template, tmp_path, monkeypatch)
    added = CliRunner().invoke(app, ["user", "add", "chief", "--role", "admin"], input="correct-horse-battery\n")
    assert added.exit_code == 0, added.output  # an audited act: the chain has a record to sign
    run("audit", "checkpoint")
    key = tmp_path / "backup.key"
    assert "backup key written" in run("backup-key", str(key))
    run("backup-key", str(key), code=2)  # never overwrites a key
    archive = tmp_path / "site.qbk"
    assert "backup written" in run("backup", str(archive), "--key-file", str(key))
    assert "archive intact" in run("restore", str(archive), "--key-file", str(key), "--check")

    run("restore", str(archive), "--key-file", str(key), code=2)  # the source itself is not a fresh place
    monkeypatch.setenv("QORGAU_DATA_DIR", str(tmp_path / "elsewhere"))
    phrase = tmp_path / "phrase.txt"
    phrase.write_text("a long backup passphrase\n", encoding="utf-8")
    refused = run("restore", str(archive), "--passphrase-file", str(phrase), code=2)
    assert "key file, not a passphrase" in refused
    assert "restored" in run("restore", str(archive), "--key-file", str(key))
    assert "audit log intact" in run("audit", "verify")
    assert (tmp_path / "elsewhere" / "keys" / "master.key").read_bytes() == (source / "keys" / "master.key"
                                                                              ).read_bytes()
