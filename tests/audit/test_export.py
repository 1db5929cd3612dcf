"""The auditor's search (person, action, object, time), the export of a filtered range that verifies on its own,
and the chain's status with its latest signed checkpoint, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from qorgau.audit import service
from qorgau.audit.export import check_export, read_export
from qorgau.audit.models import GENESIS_HASH
from qorgau.audit.service import Actor
from qorgau.audit.signing import anchor_path, load_signer
from qorgau.cli import app
from qorgau.core.db import Database
from qorgau.settings import Settings
from tests.conftest import CLI_ACTOR, login, make_user

YESTERDAY = datetime.now(UTC) - timedelta(days=1)


def _backdated_login(db: Database, monkeypatch: pytest.MonkeyPatch, user_id: int, name: str) -> None:
    """A sign-in recorded yesterday: the audit service's clock is moved, the chain stays whole."""
    monkeypatch.setattr(service, "utcnow", lambda: YESTERDAY)
    with db.unit_of_work() as session:
        service.record(session, action="auth.login", actor=Actor(ref=f"user:{user_id}", name=name, source="10.0.0.9"))
    monkeypatch.undo()


def _recomputed(row: dict[str, Any]) -> str:
    return service.record_hash(
        seq=int(row["seq"]), id=uuid.UUID(row["id"]), at=datetime.fromisoformat(row["at"]), actor=row["actor"],
        actor_name=row["actor_name"] or None, action=row["action"], outcome=row["outcome"],
        target_type=row["target_type"] or None, target_id=row["target_id"] or None, source=row["source"] or None,
        details=row["details"], prev_hash=row["prev_hash"])


def test_auditor_searches_exports_and_sees_the_chains_status(
    client: TestClient, app_db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    pat = make_user(app_db, "pat", "patrol")
    make_user(app_db, "aud", "auditor")
    make_user(app_db, "boss", "admin")
    _backdated_login(app_db, monkeypatch, pat, "pat")
    login(client, "pat")
    client.post("/api/auth/login", json={"username": "PAT", "password": "wrong-password"})  # typed in capitals
    with app_db.unit_of_work() as session:
        service.record(session, action="test.touch", actor=CLI_ACTOR, target_type="unit", target_id="PC-01")
        signed = service.checkpoint(session, load_signer(settings), anchor_path(settings))
    assert signed is not None

    login(client, "boss")  # an administrator does not read the audit log
    assert client.get("/api/audit/status").status_code == 403
    assert client.get("/api/audit/export").status_code == 403
    login(client, "aud")

    def search(**params: Any) -> list[dict[str, Any]]:
        response = client.get("/api/audit", params=params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    logins = search(person="Pat", action="auth.login")
    assert [(r["outcome"], r["actor_name"]) for r in logins] == [("failure", "pat"), ("success", "pat"),
                                                                  ("success", "pat")]
    day_start = YESTERDAY.replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday = search(person=f"user:{pat}", action="auth.login", **{
        "from": day_start.isoformat(), "to": (day_start + timedelta(days=1)).isoformat()})
    assert len(yesterday) == 1 and yesterday[0]["source"] == "10.0.0.9"
    assert [r["action"] for r in search(target_type="unit", target="PC-01")] == ["test.touch"]

    status = client.get("/api/audit/status").json()
    checkpoint = status["latest_checkpoint"]
    assert checkpoint["seq"] == signed.seq < status["head_seq"]  # the refusals and sign-ins came after it
    assert checkpoint["head_hash"] == signed.head_hash
    assert checkpoint["key_id"] == load_signer(settings).key_id and checkpoint["signature"]
    assert status["last_verify"] is None
    assert client.post("/api/audit/verify").json()["ok"] is True
    last = client.get("/api/audit/status").json()["last_verify"]
    assert last["ok"] is True and last["actor_name"] == "aud" and last["records"] == status["head_seq"]

    # The whole log as JSON lines: every hash recomputes and every record links to the one before.
    whole = client.get("/api/audit/export", params={"format": "jsonl"})
    assert whole.status_code == 200 and whole.headers["content-type"].startswith("application/x-ndjson")
    assert "attachment" in whole.headers["content-disposition"]
    rows = [json.loads(line) for line in whole.text.splitlines()]
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["prev_hash"] == GENESIS_HASH
    assert all(_recomputed(r) == r["hash"] for r in rows)
    assert all(b["prev_hash"] == a["hash"] for a, b in pairwise(rows))

    # A filtered range as CSV: the same records, each one's hash recomputes from the file alone.
    filtered = client.get("/api/audit/export", params={"format": "csv", "person": "pat", "action": "auth.login"})
    table = list(csv.DictReader(io.StringIO(filtered.text)))
    assert [int(r["seq"]) for r in table] == sorted(r["seq"] for r in logins)
    for row in table:
        row["details"] = json.loads(row["details"])
        assert _recomputed(row) == row["hash"]
    # The same files checked on their own by `qorgau audit verify-export`; an edited record is caught.
    for name, text in (("whole.jsonl", whole.text), ("range.csv", filtered.text)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = CliRunner().invoke(app, ["audit", "verify-export", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert f"export intact: {len(text.splitlines()) - name.endswith('.csv')} records" in result.output
    (tmp_path / "edited.csv").write_text(filtered.text.replace("10.0.0.9", "10.0.0.8"), encoding="utf-8")
    result = CliRunner().invoke(app, ["audit", "verify-export", str(tmp_path / "edited.csv")])
    assert result.exit_code == 1 and "was altered" in result.output
    assert check_export(read_export(whole.text)).links == len(rows) - 1

    exported = search(action="audit.export")
    assert exported[0]["details"]["records"] == 3 and exported[0]["details"]["filters"] == {
        "person": "pat", "action": "auth.login"}
    assert exported[0]["actor_name"] == "aud"
