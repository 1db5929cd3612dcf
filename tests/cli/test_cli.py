"""The real `qorgau` command, run as a subprocess against an SQLite data directory.

The CLI is the same code on both databases, so SQLite suffices. Every QORGAU_* variable of
the test process is removed so that only what a test sets reaches the command.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.main import get_command
from typer.testing import CliRunner

from qorgau.audit import service as audit
from qorgau.audit.models import AuditRecord
from qorgau.audit.signing import anchor_path, load_signer
from qorgau.auth import service, throttle
from qorgau.auth.enums import Permission
from qorgau.auth.models import LoginThrottle, User
from qorgau.cli import app
from qorgau.core.db import Database
from qorgau.core.keyfiles import write_key_file
from qorgau.core.time import utcnow
from qorgau.settings import Settings
from tests.conftest import CLI_ACTOR, make_user

# Each test runs the real `qorgau` command several times, a process start (≈1–3 s) each.
pytestmark = pytest.mark.timeout(150)

ROOT = Path(__file__).resolve().parents[2]
QORGAU = ROOT / ".venv" / "bin" / "qorgau"
STRONG = "a-long-enough-password"


@pytest.fixture(autouse=True)
def _no_qorgau_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.upper().startswith("QORGAU_"):
            monkeypatch.delenv(key)


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("QORGAU_")}
    return {**env, "QORGAU_DATA_DIR": str(data_dir), **extra}


def qorgau(data_dir: Path, *args: str, stdin: str = "", **extra_env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(QORGAU), *args], env=_env(data_dir, **extra_env), input=stdin,
                          capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"rc={result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory `qorgau migrate` made once; each test copies its database."""
    data = tmp_path_factory.mktemp("cli-template")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("QORGAU_")}
    subprocess.run([str(QORGAU), "migrate"], env={**env, "QORGAU_DATA_DIR": str(data)}, check=True,
                   capture_output=True, timeout=120, cwd=ROOT)
    return data / "qorgau.db"


@pytest.fixture
def data(tmp_path: Path, migrated_template: Path) -> Path:
    directory = tmp_path / "var"
    directory.mkdir()
    shutil.copyfile(migrated_template, directory / "qorgau.db")
    return directory


@pytest.fixture
def db(data: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{data / 'qorgau.db'}")
    yield database
    database.dispose()


def _authenticate(db: Database, data: Path, username: str, password: str) -> User | None:
    settings = Settings(data_dir=data)
    with db.unit_of_work() as session:
        return service.authenticate(session, settings, username=username, password=password, source="pytest").user


# --- database and accounts ------------------------------------------------------------------------------


def test_migrate_creates_and_upgrades_the_database(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    refused = qorgau(data, "user", "list")
    assert refused.returncode == 2
    assert "not migrated" in refused.stderr and "qorgau migrate" in refused.stderr
    assert "database is at the latest schema" in ok(qorgau(data, "migrate"))
    assert (data / "qorgau.db").is_file()
    assert "database is at the latest schema" in ok(qorgau(data, "migrate"))  # idempotent


def test_user_add_list_passwd_and_unlock(data: Path, db: Database) -> None:
    added = ok(qorgau(data, "user", "add", "Aigerim", "--role", "operator", "--display-name", "Aigerim B.",
                      "--locale", "kk", stdin=STRONG + "\n"))
    assert added.strip() == "created user aigerim (id 1, role operator)"
    assert STRONG not in added

    listed = ok(qorgau(data, "user", "list"))
    assert re.search(r"^\s+1\s+aigerim\s+operator\s+active\s+Aigerim B\.$", listed, re.MULTILINE), listed
    as_json = json.loads(ok(qorgau(data, "user", "list", "--json")))
    assert as_json == [{"id": 1, "username": "aigerim", "display_name": "Aigerim B.", "role": "operator",
                        "active": True}]
    assert _authenticate(db, data, "aigerim", STRONG) is not None

    new_password = "another-long-password"
    assert ok(qorgau(data, "user", "passwd", "aigerim", stdin=new_password + "\r\n")).strip() == (
        "password of aigerim changed")
    assert _authenticate(db, data, "aigerim", STRONG) is None
    assert _authenticate(db, data, "aigerim", new_password) is not None

    settings = Settings(data_dir=data)
    with db.unit_of_work() as session:
        for _ in range(settings.login_free_attempts + 2):
            throttle.record_failure(session, settings, "aigerim", "10.1.1.1", utcnow())
    assert ok(qorgau(data, "user", "unlock", "aigerim")).strip() == "aigerim: cleared 2 throttle record(s)"
    with db.reading() as session:
        assert set(session.scalars(select(LoginThrottle.key))) == {"addr:10.1.1.1", "addr:pytest"}
        actions = [r.action for r in session.scalars(select(AuditRecord).where(AuditRecord.actor == "system:cli")
                                                     .order_by(AuditRecord.seq))]
    assert actions == ["users.create", "users.password_reset", "users.unlock"]


def test_user_commands_refuse_bad_input(data: Path, db: Database) -> None:
    make_user(db, "berik", "operator", STRONG)
    cases = [
        (("user", "add", "berik", "--role", "operator"), STRONG, "already exists"),
        (("user", "add", "weak", "--role", "operator"), "short", "at least 10"),
        (("user", "add", "someone", "--role", "emperor"), STRONG, "role"),
        (("user", "passwd", "nobody"), STRONG, "no user named nobody"),
    ]
    for args, stdin, message in cases:
        result = qorgau(data, *args, stdin=stdin + "\n")
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
    assert _authenticate(db, data, "berik", STRONG) is not None


def test_bootstrap_prints_a_one_time_password_once(data: Path, db: Database) -> None:
    out = ok(qorgau(data, "user", "bootstrap", stdin=""))
    match = re.search(r"created administrator admin; one-time password: (\S+)", out)
    assert match, out
    password = match.group(1)
    assert len(password) >= 10
    user = _authenticate(db, data, "admin", password)
    assert user is not None and user.role == "admin"

    again = ok(qorgau(data, "user", "bootstrap", stdin=""))
    assert again.strip() == "users exist already; nothing to do"
    assert password not in again
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
    assert _authenticate(db, data, "admin", password) is not None


def test_bootstrap_takes_a_password_from_standard_input(data: Path, db: Database) -> None:
    out = ok(qorgau(data, "user", "bootstrap", "--name", "chief", stdin=STRONG + "\n"))
    assert out.strip() == "created administrator chief with the given password"
    assert STRONG not in out
    assert _authenticate(db, data, "chief", STRONG) is not None


def test_token_create_prints_a_scoped_secret(data: Path, db: Database) -> None:
    make_user(db, "camera", "operator", STRONG)
    secret = ok(qorgau(data, "token", "create", "camera", "--name", "cam-7", "--scope", "events:read",
                       "--scope", "devices:read", "--days", "30")).strip()
    assert secret.startswith(service.TOKEN_PREFIX)
    with db.unit_of_work() as session:
        principal = service.resolve_token(session, secret)
    assert principal is not None
    assert principal.permissions == {Permission.EVENTS_READ, Permission.DEVICES_READ}
    refused = qorgau(data, "token", "create", "camera", "--name", "x", "--scope", "users:write")
    assert refused.returncode == 2 and "users:write" in refused.stderr


# --- configuration --------------------------------------------------------------------------------------


def test_config_show_redacts_secrets(tmp_path: Path) -> None:
    master = base64.b64encode(bytes(range(32))).decode()
    signing = base64.b64encode(bytes(range(32, 64))).decode()
    extra = {"QORGAU_MASTER_KEY": master, "QORGAU_AUDIT_SIGNING_KEY": signing,
             "QORGAU_DATABASE_URL": "postgresql://qorgau:hunter2-secret@db.local:5432/qorgau"}
    text_out = ok(qorgau(tmp_path, "config", "show", **extra))
    json_out = ok(qorgau(tmp_path, "config", "show", "--json", **extra))
    for out in (text_out, json_out):
        assert master not in out and signing not in out and "hunter2-secret" not in out
    values = json.loads(json_out)
    assert values["master_key"] == "********" and values["audit_signing_key"] == "********"
    assert values["database_url"] == "postgresql+psycopg://qorgau:********@db.local:5432/qorgau"
    assert values["data_dir"] == str(tmp_path)
    assert "master_key = '********'" in text_out
    assert "QORGAU_SESSION_IDLE_MINUTES:" in text_out  # each setting is described


def test_unknown_environment_setting_fails_every_command_that_reads_settings(tmp_path: Path) -> None:
    for args in (("config", "show"), ("migrate",), ("user", "list")):
        result = qorgau(tmp_path, *args, QORGAU_NOPE="1")
        assert result.returncode != 0, args
        assert "QORGAU_NOPE" in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "qorgau.db").exists()


def test_a_malformed_key_setting_is_a_clean_error(data: Path) -> None:
    for args, extra in ((("user", "list"), {"QORGAU_MASTER_KEY": "not-base64!"}),
                        (("audit", "verify"), {"QORGAU_AUDIT_SIGNING_KEY": base64.b64encode(b"short").decode()})):
        result = qorgau(data, *args, **extra)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith(f"error: {next(iter(extra))}: key "), result.stderr


def test_config_file_is_read_and_its_unknown_keys_are_named(tmp_path: Path) -> None:
    config = tmp_path / "qorgau.toml"
    config.write_text('port = 9000\ntime_zone = "Asia/Almaty"\n', encoding="utf-8")
    values = json.loads(ok(qorgau(tmp_path, "config", "show", "--json", QORGAU_CONFIG=str(config),
                                  QORGAU_PORT="9100")))
    assert (values["port"], values["time_zone"]) == (9100, "Asia/Almaty")  # environment over file

    config.write_text('port = 9000\nsesion_ttl_minutes = 5\n', encoding="utf-8")
    result = qorgau(tmp_path, "config", "show", QORGAU_CONFIG=str(config))
    assert result.returncode != 0
    assert "sesion_ttl_minutes" in result.stderr and "unknown setting" in result.stderr

    config.write_text('port = "many"\n', encoding="utf-8")
    result = qorgau(tmp_path, "config", "show", QORGAU_CONFIG=str(config))
    assert result.returncode != 0 and "port" in result.stderr

    result = qorgau(tmp_path, "config", "show", QORGAU_CONFIG=str(tmp_path / "missing.toml"))
    assert result.returncode != 0 and "missing.toml" in result.stderr


# --- audit and keys -------------------------------------------------------------------------------------


def _audit_records(db: Database, count: int) -> None:
    with db.unit_of_work() as session:
        for index in range(count):
            audit.record(session, action="test.action", actor=CLI_ACTOR, details={"index": index})


def test_audit_verify_and_checkpoint(data: Path, db: Database) -> None:
    _audit_records(db, 3)
    assert ok(qorgau(data, "audit", "verify")).strip() == "audit log intact: 3 records, 0 signed checkpoints"
    assert ok(qorgau(data, "audit", "checkpoint")).strip() == "checkpoint at record 3"
    assert (data / "audit" / "checkpoints.jsonl").is_file()
    assert ok(qorgau(data, "audit", "verify")).strip() == "audit log intact: 3 records, 1 signed checkpoints"

    with sqlite3.connect(data / "qorgau.db") as conn:  # an attacker with the file drops the guard and edits
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 2")
    conn.close()
    result = qorgau(data, "audit", "verify")
    assert result.returncode == 1
    assert "first broken link: record 2" in result.stderr
    assert "record 2 was altered" in result.stderr


def test_audit_verify_reports_a_truncated_tail(data: Path, db: Database) -> None:
    _audit_records(db, 3)
    settings = Settings(data_dir=data)
    with db.unit_of_work() as session:
        assert audit.checkpoint(session, load_signer(settings), anchor_path(settings)) is not None
    with sqlite3.connect(data / "qorgau.db") as conn:
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DELETE FROM audit_log WHERE seq = 3")
        conn.execute("UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2)")
    conn.close()
    result = qorgau(data, "audit", "verify")
    assert result.returncode == 1
    assert "missing tail: records after 2 were deleted" in result.stderr


def test_keys_rotate_retires_the_old_key_file(data: Path, db: Database) -> None:
    keys = data / "keys"
    write_key_file(keys / "master.key", secrets.token_bytes(32))  # as the first start would have
    old = (keys / "master.key").read_text(encoding="ascii")
    out = ok(qorgau(data, "keys", "rotate"))
    assert re.fullmatch(r"master key rotated to [0-9a-f]{8}; 0 secret\(s\) re-encrypted\n", out), out
    new = (keys / "master.key").read_text(encoding="ascii")
    assert new != old and len(base64.b64decode(new)) == 32
    [retired] = keys.glob("master.key.retired-*")
    assert retired.read_text(encoding="ascii") == old
    assert not (keys / "master.key.next").exists()
    assert (keys / "master.key").stat().st_mode & 0o077 == 0
    assert ok(qorgau(data, "audit", "verify")).startswith("audit log intact")  # starts with the new key
    with db.reading() as session:
        [record] = session.scalars(select(AuditRecord).where(AuditRecord.action == "keys.rotate")).all()
    assert record.details["reencrypted"] == 0 and out.startswith(f"master key rotated to {record.details['key_id']}")


def test_keys_rotate_with_the_key_in_the_environment_explains_the_next_step(data: Path) -> None:
    master = base64.b64encode(bytes(range(32))).decode()
    out = ok(qorgau(data, "keys", "rotate", QORGAU_MASTER_KEY=master))
    assert "QORGAU_MASTER_KEY" in out and "master.key.next" in out
    assert master not in out
    pending = data / "keys" / "master.key.next"
    assert pending.is_file()
    # after the operator moves the pending key into the setting, commands start with it
    ok(qorgau(data, "user", "list", QORGAU_MASTER_KEY=pending.read_text(encoding="ascii").strip()))


# --- help and the event catalogue -----------------------------------------------------------------------


def _commands(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, [*path, name])


def test_every_command_has_help() -> None:
    runner = CliRunner()
    walked = list(_commands(get_command(app), []))
    names = {" ".join(path) for path, _ in walked}
    assert {"migrate", "serve", "version", "user add", "user bootstrap", "user passwd", "user list", "user unlock",
            "config show", "audit verify", "audit checkpoint", "keys rotate", "events catalogue",
            "token create"} <= names
    for path, command in walked:
        assert command.help, f"`qorgau {' '.join(path)}` has no description"
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        words = command.help.split()[:4]
        flat = " ".join(result.output.split())
        assert " ".join(words) in flat, (path, result.output)


def test_help_of_the_real_entry_point(tmp_path: Path) -> None:
    out = ok(qorgau(tmp_path, "--help"))
    assert "Operations Control Center" in out and "user" in out and "audit" in out
    bare = qorgau(tmp_path)
    assert "Usage" in bare.stdout + bare.stderr
    assert ok(qorgau(tmp_path, "version")).strip()


def test_event_catalogue_is_up_to_date(tmp_path: Path) -> None:
    assert "is up to date" in ok(qorgau(tmp_path, "events", "catalogue", "--check"))
    written = tmp_path / "events.md"
    ok(qorgau(tmp_path, "events", "catalogue", "--output", str(written)))
    assert written.read_text(encoding="utf-8") == (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    assert "auth.user_updated" in written.read_text(encoding="utf-8")
    written.write_text("stale\n", encoding="utf-8")
    stale = qorgau(tmp_path, "events", "catalogue", "--check", "--output", str(written))
    assert stale.returncode == 1 and "out of date" in stale.stderr
