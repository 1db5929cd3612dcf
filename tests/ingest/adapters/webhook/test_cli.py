"""`qorgau webhook add | list | rotate | disable | enable` in-process, against the test databases."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from qorgau.cli import app
from qorgau.core.db import Database
from qorgau.settings import Settings
from tests.ingest.adapters.webhook.conftest import add_device
from tests.ingest.adapters.webhook.test_service import _verified


@pytest.fixture
def run(settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for key in [k for k in os.environ if k.upper().startswith("QORGAU_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("QORGAU_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("QORGAU_DATABASE_URL", settings.effective_database_url)
    return CliRunner()


def test_add_list_rotate_disable(run: CliRunner, db: Database) -> None:
    add_device(db, "ACC-0001")
    added = run.invoke(app, ["webhook", "add", "acme", "--type", "door_forced", "--map", "door-1=acc-0001"])
    assert added.exit_code == 0, added.output
    secret = added.stdout.strip().splitlines()[-1]
    assert secret.startswith("qwh_") and "shown once" in added.stdout
    assert _verified(db, secret).device_map == {"door-1": "ACC-0001"}

    listed = run.invoke(app, ["webhook", "list"])
    assert listed.exit_code == 0 and "acme" in listed.stdout and "types=door_forced" in listed.stdout
    assert "devices=1" in listed.stdout and secret not in listed.stdout

    rotated = run.invoke(app, ["webhook", "rotate", "acme", "--grace-hours", "0"])
    assert rotated.exit_code == 0 and "no longer" in rotated.stdout
    fresh = rotated.stdout.strip().splitlines()[-1]
    assert fresh != secret and _verified(db, fresh).name == "acme"

    assert run.invoke(app, ["webhook", "disable", "acme"]).exit_code == 0
    assert "disabled" in run.invoke(app, ["webhook", "list"]).stdout
    assert run.invoke(app, ["webhook", "enable", "acme"]).exit_code == 0


def test_mistakes_are_explained(run: CliRunner, db: Database) -> None:
    assert run.invoke(app, ["webhook", "add", "acme"]).exit_code == 0
    again = run.invoke(app, ["webhook", "add", "acme"])
    assert again.exit_code == 2 and "already exists" in again.stderr
    bad = run.invoke(app, ["webhook", "add", "Bad Name"])
    assert bad.exit_code == 2 and "name" in bad.stderr
    assert "VENDOR_ID=DEVICE_CODE" in run.invoke(app, ["webhook", "add", "x", "--map", "nothing"]).stderr
    unknown = run.invoke(app, ["webhook", "add", "y", "--map", "d=CAM-404"])
    assert unknown.exit_code == 2 and "CAM-404" in unknown.stderr
    missing = run.invoke(app, ["webhook", "rotate", "nobody"])
    assert missing.exit_code == 2 and "nobody not found" in missing.stderr
    assert run.invoke(app, ["webhook", "disable", "nobody"]).exit_code == 2
