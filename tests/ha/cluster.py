"""A PostgreSQL primary and a synchronous streaming standby made with Debian's cluster tools, for failover tests.

The primary commits only once the standby has the WAL (`synchronous_standby_names='*'`), as a production set-up
that must lose nothing acknowledged does; the standby is a `pg_basebackup -R` copy. Kill and promote are what a
failover manager (Patroni, pg_auto_failover) does, done here by hand so the test controls the moment.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.server import free_port

DATABASE = "qorgau"


@dataclass(frozen=True)
class Node:
    version: str
    name: str
    port: int

    @property
    def data_dir(self) -> Path:
        return Path(f"/var/lib/postgresql/{self.version}/{self.name}")

    def dsn(self, database: str = DATABASE) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}?connect_timeout=3"

    def postmaster_pid(self) -> int:
        return int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])


@dataclass(frozen=True)
class Pair:
    primary: Node
    standby: Node

    @property
    def url(self) -> str:
        """Qorgau's database URL naming both hosts: libpq takes the first that accepts writes."""
        return (f"postgresql+psycopg://postgres@/{DATABASE}?host=127.0.0.1,127.0.0.1"
                f"&port={self.primary.port},{self.standby.port}&target_session_attrs=read-write&connect_timeout=3")

    def kill_primary(self) -> None:
        """kill -9 of the primary's postmaster: no shutdown, no last WAL sent."""
        os.kill(self.primary.postmaster_pid(), signal.SIGKILL)

    def promote_standby(self) -> float:
        """Promote the standby (pg_ctlcluster waits until it accepts writes); returns the seconds it took."""
        started = time.monotonic()
        _run("pg_ctlcluster", self.standby.version, self.standby.name, "promote")
        return time.monotonic() - started


def _run(*argv: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stdout}{done.stderr}")


def _version() -> str:
    if shutil.which("pg_createcluster") is None or not Path("/usr/lib/postgresql").is_dir():
        pytest.skip("pg_createcluster is not installed (Debian's postgresql and postgresql-common)")
    if os.geteuid() != 0:
        pytest.skip("pg_createcluster needs root to make clusters (./run test runs as root)")
    return max(os.listdir("/usr/lib/postgresql"), key=lambda v: float(v) if v.replace(".", "").isdigit() else 0.0)


def _create(node: Node, *options: str) -> None:
    _run("pg_createcluster", node.version, node.name, "-p", str(node.port), *options, "--", "--auth=trust")


def _wait_sync(primary: Node, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with psycopg.connect(primary.dsn("postgres"), autocommit=True) as conn:
            row = conn.execute("SELECT sync_state FROM pg_stat_replication").fetchone()
        if row is not None and row[0] == "sync":
            return
        time.sleep(0.2)
    raise RuntimeError("the standby never became synchronous")


def _drop(node: Node) -> None:
    subprocess.run(["pg_dropcluster", "--stop", node.version, node.name], capture_output=True, timeout=120,
                   check=False)
    if node.data_dir.exists():  # a killed postmaster's cluster: pg_dropcluster may refuse, the files go anyway
        subprocess.run(["pg_dropcluster", node.version, node.name], capture_output=True, timeout=60, check=False)
        shutil.rmtree(node.data_dir, ignore_errors=True)
        shutil.rmtree(f"/etc/postgresql/{node.version}/{node.name}", ignore_errors=True)


@contextmanager
def replicated_pair() -> Iterator[Pair]:
    """A running primary with database `qorgau` and a synchronous standby; both dropped at the end."""
    version, tag = _version(), uuid.uuid4().hex[:6]
    pair = Pair(Node(version, f"qha{tag}p", free_port()), Node(version, f"qha{tag}s", free_port()))
    try:
        _create(pair.primary, "--start", "-o", "wal_level=replica")
        with psycopg.connect(pair.primary.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        _create(pair.standby)  # its configuration; the data is the primary's, copied below
        shutil.rmtree(pair.standby.data_dir)
        pair.standby.data_dir.mkdir(mode=0o700)
        shutil.chown(pair.standby.data_dir, "postgres", "postgres")
        _run("su", "postgres", "-c", f"pg_basebackup -h 127.0.0.1 -p {pair.primary.port} -U postgres "
             f"-D {pair.standby.data_dir} -R -X stream -c fast")
        _run("pg_ctlcluster", version, pair.standby.name, "start")
        # Synchronous only now that the standby runs (a commit would wait for it), and on the primary only: the
        # setting goes to its own postgresql.auto.conf, so the promoted standby commits alone.
        with psycopg.connect(pair.primary.dsn("postgres"), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET synchronous_standby_names = '*'")
            conn.execute("SELECT pg_reload_conf()")
        _wait_sync(pair.primary)
        yield pair
    finally:
        for node in (pair.standby, pair.primary):
            _drop(node)
