"""core.db on a failover: errors that mean "not the primary (any more)" drop the connection; only they are retried."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from qorgau.core.db import Database, OutageBudget, is_failover_error, retry_on_failover

WRITE = "INSERT INTO event_cursors (subscriber, last_seq, updated_at) VALUES ('ha-test', 1, CURRENT_TIMESTAMP)"


def _write_refused(db: Database) -> DBAPIError:
    """A write in a read-only session: what a connection to a standby (or a demoted primary) answers."""
    with pytest.raises(DBAPIError) as caught, db.unit_of_work() as session:
        if db.is_sqlite:
            session.execute(text("PRAGMA query_only = ON"))
        else:
            session.execute(text("SET TRANSACTION READ ONLY"))
        try:
            session.execute(text(WRITE))
        finally:
            if db.is_sqlite:
                session.execute(text("PRAGMA query_only = OFF"))
    return caught.value


@pytest.mark.timeout(60)
def test_a_read_only_server_counts_as_failover_on_postgresql_only(db: Database) -> None:
    error = _write_refused(db)
    # On PostgreSQL (SQLSTATE 25006) the connection is dropped and the pool starts afresh; SQLite's refusal is
    # the file's own, not a failover, and is not retried.
    assert is_failover_error(error) is (not db.is_sqlite)
    assert error.connection_invalidated is (not db.is_sqlite)
    with db.unit_of_work() as session:  # the next unit of work gets a working connection
        session.execute(text(WRITE))
    with db.reading() as session:
        assert session.execute(text("SELECT count(*) FROM event_cursors")).scalar() == 1


@pytest.mark.timeout(60)
def test_retry_on_failover_repeats_only_failover_errors(db: Database) -> None:
    failover, attempts = _write_refused(db), []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise failover
        return "done"

    if db.is_sqlite:
        with pytest.raises(DBAPIError):
            retry_on_failover(flaky, within_s=5, first_delay_s=0.01)
        assert len(attempts) == 1
    else:
        assert retry_on_failover(flaky, within_s=5, first_delay_s=0.01) == "done"
        assert len(attempts) == 3

    def broken() -> None:
        raise ValueError("a bug, not a failover")

    with pytest.raises(ValueError, match="a bug"):
        retry_on_failover(broken, within_s=5)


@pytest.mark.timeout(60)
def test_an_outage_budget_is_spent_once_per_outage() -> None:
    budget, calls = OutageBudget(0.3), []
    down = psycopg.OperationalError("connection refused")  # as psycopg raises it: no SQLSTATE

    def failing() -> None:
        calls.append(time.monotonic())
        raise down

    started = time.monotonic()
    with pytest.raises(psycopg.OperationalError):
        budget(failing)  # retried within the budget
    assert len(calls) > 1 and time.monotonic() - started >= 0.2
    calls.clear()
    with pytest.raises(psycopg.OperationalError):
        budget(failing)  # the outage has spent it: one try, at once
    assert len(calls) == 1
    assert budget(lambda: "up") == "up"  # a success ends the outage: the next one has its own budget
    calls.clear()
    with pytest.raises(psycopg.OperationalError):
        budget(failing)
    assert len(calls) > 1
