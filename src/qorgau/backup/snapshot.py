"""A consistent copy of the database while it runs, and putting one back: SQLite's online backup, PostgreSQL's
pg_dump and pg_restore (Debian's client programs)."""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.engine import URL

from qorgau.backup.sealed import BackupError

COUNTED = ("events", "audit_log", "audit_checkpoints", "users")  # what a restore checks against the manifest
TOOL_TIMEOUT_S = 3600


@dataclass
class Snapshot:
    """What a dump holds: its schema revision and row counts, read in the dump's own snapshot."""

    revision: str | None
    counts: dict[str, int] = field(default_factory=dict)


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("backup.no_database_file")
    return Path(database)


def dump_sqlite(url: str, target: Path) -> Snapshot:
    """Copy the live database with SQLite's online backup API in one step (one read snapshot, so consistent)."""
    source = sqlite3.connect(f"file:{sqlite_path(url)}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # pages=-1: every page at once, under one read transaction
    finally:
        source.close()
    try:
        copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file in the archive
        return _read_snapshot(copy)
    finally:
        copy.close()


def _read_snapshot(conn: sqlite3.Connection) -> Snapshot:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchone() if "alembic_version" in tables \
        else None
    counts = {name: int(conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0])  # noqa: S608 - fixed names
              for name in COUNTED if name in tables}
    return Snapshot(revision[0] if revision else None, counts)


def restore_sqlite(source: Path, url: str) -> None:
    """Write the dumped file as the target database (which must not exist yet or be empty)."""
    target = sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    dumped = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    fresh = sqlite3.connect(target)
    try:
        dumped.backup(fresh)
        fresh.execute("PRAGMA journal_mode=WAL")
    finally:
        dumped.close()
        fresh.close()


def pg_tool(name: str) -> str:
    """The newest ``pg_dump``/``pg_restore`` of Debian's PostgreSQL packages, else the one on PATH."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        raise BackupError("backup.pg_tool_missing", params={"tool": name})
    return found


def _libpq_env(url: URL) -> dict[str, str]:
    """Connection settings as libpq's variables: a password in a command line would show in `ps`."""
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError("backup.tool_failed", params={"tool": Path(args[0]).name,
                                                        "message": done.stderr.strip()[-500:]})


def dump_postgres(url: str, target: Path) -> Snapshot:
    """pg_dump in the custom format from a snapshot this function exports, and the counts read in that snapshot."""
    parsed = make_url(url)
    engine = create_engine(parsed, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:
            # The snapshot lives while this transaction is open; pg_dump reads exactly what the counts read.
            snapshot_id = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = set(inspect(conn).get_table_names())
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                if "alembic_version" in tables else None
            counts = {name: int(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())  # noqa: S608
                      for name in COUNTED if name in tables}
            _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot_id}", f"--file={target}"], _libpq_env(parsed))
            conn.rollback()
    finally:
        engine.dispose()
    return Snapshot(revision, counts)


def postgres_is_empty(url: str) -> bool:
    engine = create_engine(make_url(url))
    try:
        with engine.connect() as conn:
            return not inspect(conn).get_table_names()
    finally:
        engine.dispose()


def restore_postgres(source: Path, url: str) -> None:
    """pg_restore into the (empty) target database, stopping at the first error."""
    _run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={make_url(url).database}", str(source)], _libpq_env(make_url(url)))


def count_rows(url: str) -> Snapshot:
    """Revision and counts of a database, as the manifest records them."""
    engine = create_engine(make_url(url))
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                if "alembic_version" in tables else None
            counts = {name: int(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())  # noqa: S608
                      for name in COUNTED if name in tables}
            return Snapshot(revision, counts)
    finally:
        engine.dispose()
