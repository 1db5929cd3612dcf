"""Growing delays after failed logins, never a hard lockout.

Three counters: the user at this address (delays grow to ``login_max_delay_s``), the
address for any user (same cap, larger allowance), and the user from anywhere (a small
cap, ``login_user_max_delay_s``). An attacker elsewhere can therefore slow a duty
operator's account by seconds at most, never lock them out at their own console.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from qorgau.auth.models import LoginThrottle
from qorgau.core.settings import CoreSettings


@dataclass(frozen=True)
class Rule:
    key: str
    free: int
    cap_s: float


def rules(settings: CoreSettings, username: str, source: str) -> list[Rule]:
    name = username.strip().lower()
    return [
        Rule(f"pair:{name}|{source}", settings.login_free_attempts, settings.login_max_delay_s),
        Rule(f"addr:{source}", settings.login_free_attempts * 5, settings.login_max_delay_s),
        Rule(f"user:{name}", settings.login_free_attempts * 2, settings.login_user_max_delay_s),
    ]


def delay_after(failures: int, free: int, base: float, cap: float) -> float:
    if failures < free:
        return 0.0
    # Clamped: 2.0**n overflows past n ~ 1023, and the failure count has no upper bound.
    exponent = min(failures - free, 1000)
    return float(min(base * 2.0**exponent, cap))


# Class of the two-integer advisory locks (a key space apart from the single-bigint locks of the outbox).
_PG_LOGIN_LOCK_CLASS = 0x51_06_A0_02


def serialise_attempts(session: Session, username: str, source: str) -> None:
    """Take this user's and this address's turn for a sign-in attempt, until the transaction ends.

    Without it, parallel attempts on PostgreSQL all pass :func:`wait_seconds` before any of
    them has counted its failure (and concurrent increments get lost), so an attacker firing
    requests in parallel would get many guesses per delay. SQLite serialises every write
    transaction already; there it suffices to begin it now (BEGIN IMMEDIATE waits for the
    lock), so that the attempt reads the clock after the attempt before it has counted its
    failure, not before (else that failure's ``not_before`` lies in this attempt's future
    and it is refused as throttled even when no delay is due). Order (user, then address) is
    fixed, so two attempts cannot deadlock.
    """
    if session.get_bind().dialect.name != "postgresql":
        session.connection()
        return
    name = username.strip().lower()
    for key in (f"user:{name}", f"addr:{source}"):
        session.execute(text("SELECT pg_advisory_xact_lock(:cls, hashtext(:key))"),
                        {"cls": _PG_LOGIN_LOCK_CLASS, "key": key})


def wait_seconds(session: Session, settings: CoreSettings, username: str, source: str, now: datetime) -> int:
    """Seconds before another attempt is considered (0: go ahead)."""
    longest = 0.0
    for rule in rules(settings, username, source):
        row = session.get(LoginThrottle, rule.key)
        if row is not None and row.not_before > now:
            longest = max(longest, (row.not_before - now).total_seconds())
    return math.ceil(longest)


def record_failure(session: Session, settings: CoreSettings, username: str, source: str, now: datetime) -> None:
    for rule in rules(settings, username, source):
        row = session.get(LoginThrottle, rule.key)
        if row is None:
            row = LoginThrottle(key=rule.key, failures=0, last_failure_at=now, not_before=now)
            session.add(row)
        row.failures += 1
        row.last_failure_at = now
        row.not_before = now + timedelta(
            seconds=delay_after(row.failures, rule.free, settings.login_base_delay_s, rule.cap_s)
        )


def record_success(session: Session, username: str, source: str) -> None:
    name = username.strip().lower()
    session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_([f"pair:{name}|{source}", f"user:{name}"])))


def unlock(session: Session, username: str) -> int:
    """Clear every delay that concerns this user (admin action)."""
    name = username.strip().lower()
    result = session.execute(
        delete(LoginThrottle).where(
            (LoginThrottle.key == f"user:{name}") | LoginThrottle.key.startswith(f"pair:{name}|", autoescape=True)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
