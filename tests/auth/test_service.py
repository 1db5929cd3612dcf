"""Accounts, sign-in under the throttle, sessions and tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, text, update

from qorgau.audit.models import AuditRecord
from qorgau.auth import service, throttle
from qorgau.auth.enums import Permission, Role
from qorgau.auth.models import ApiToken, LoginThrottle, User, WebSession
from qorgau.auth.passwords import verify_password
from qorgau.auth.schemas import TokenCreate, UserCreate, UserUpdate
from qorgau.core.bus import Context
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.core.errors import Conflict, QorgauError
from qorgau.core.time import utcnow
from qorgau.settings import Settings
from tests.conftest import CLI_ACTOR, PASSWORD, make_user

HERE = "10.0.0.1"
ELSEWHERE = "203.0.113.9"
CTX = Context.system("test")


def _audit(db: Database, action: str) -> list[AuditRecord]:
    with db.reading() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action)
                                    .order_by(AuditRecord.seq)))


def _login(db: Database, settings: Settings, username: str, password: str = PASSWORD,
           source: str = HERE) -> service.LoginResult:
    with db.unit_of_work() as session:
        return service.authenticate(session, settings, username=username, password=password, source=source)


def _let_time_pass(db: Database) -> None:
    """Every throttle delay runs out, as if the attacker had waited: the failure counts stay."""
    with db.unit_of_work() as session:
        session.execute(update(LoginThrottle).values(not_before=utcnow() - timedelta(seconds=1)))


def _update(db: Database, user_id: int, **fields: Any) -> User:
    with db.unit_of_work() as session:
        return service.update(session, user_id=user_id, user_in=UserUpdate(**fields), actor=CLI_ACTOR, ctx=CTX)


# --- accounts -------------------------------------------------------------------------------------------


def test_create_stores_a_lower_case_name_and_a_hash_and_is_audited(db: Database) -> None:
    with db.unit_of_work() as session:
        user = service.create(session, user_in=UserCreate(username="Aidos.K", display_name="Aidos",
                                                          role=Role.OPERATOR, password=PASSWORD),
                              actor=CLI_ACTOR, ctx=CTX)
        user_id = user.id
    with db.reading() as session:
        stored = session.get(User, user_id)
        assert stored is not None
        assert stored.username == "aidos.k"
        assert stored.role == "operator" and stored.is_active
        assert PASSWORD not in stored.password_hash and verify_password(stored.password_hash, PASSWORD)
        assert service.get_by_username(session, " AIDOS.K ") is not None
        created = session.scalars(select(OutboxEvent).where(OutboxEvent.name == "auth.user_created")).one()
        assert created.subject_id == str(user_id)
    [record] = _audit(db, "users.create")
    assert record.target_id == str(user_id) and record.details == {"username": "aidos.k", "role": "operator"}


def test_duplicate_username_is_a_conflict_whatever_the_case(db: Database) -> None:
    make_user(db, "berik", "operator")
    with pytest.raises(Conflict) as caught:
        make_user(db, "BERIK", "dispatcher")
    assert caught.value.code == "users.exists"
    assert caught.value.status == 409
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_weak_password_is_refused_and_nothing_is_stored(db: Database) -> None:
    with pytest.raises(QorgauError) as caught:
        make_user(db, "short", "operator", password="123456789")
    assert caught.value.code == "auth.weak_password"
    assert caught.value.status == 422
    assert caught.value.errors[0]["field"] == "password"
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
    assert _audit(db, "users.create") == []


def test_malformed_username_is_refused_by_the_schema() -> None:
    for bad in ("a", "-dash", "has space", "x" * 65, "кирилл"):
        with pytest.raises(ValidationError):
            UserCreate(username=bad, display_name="X", role=Role.OPERATOR, password=PASSWORD)


# --- authentication -------------------------------------------------------------------------------------


def test_authenticate_success_is_audited(db: Database, settings: Settings) -> None:
    user_id = make_user(db, "dana", "dispatcher")
    result = _login(db, settings, "Dana")
    assert result.user is not None and result.user.id == user_id
    assert result.retry_after == 0
    [record] = _audit(db, "auth.login")
    assert (record.outcome, record.actor, record.actor_name, record.source) == (
        "success", f"user:{user_id}", "dana", HERE)


def test_wrong_password_unknown_user_and_disabled_user_fail_and_are_audited(
    db: Database, settings: Settings
) -> None:
    user_id = make_user(db, "erlan", "operator")
    assert _login(db, settings, "erlan", "wrong-password-here").user is None
    assert _login(db, settings, "nobody", PASSWORD).user is None
    _update(db, user_id, is_active=False)
    disabled = _login(db, settings, "erlan", PASSWORD)
    assert disabled.user is None and disabled.retry_after == 0

    records = _audit(db, "auth.login")
    assert [(r.outcome, r.actor, r.actor_name, r.details.get("reason")) for r in records] == [
        ("failure", f"user:{user_id}", "erlan", "invalid_credentials"),
        ("failure", "anonymous", "nobody", "invalid_credentials"),
        ("failure", f"user:{user_id}", "erlan", "inactive"),
    ]
    assert all(r.source == HERE for r in records)


def test_failures_from_one_address_bring_growing_delays_even_for_the_right_password(
    db: Database, settings: Settings
) -> None:
    settings.login_base_delay_s = 30.0  # long enough that a slow machine never lets a delay run out by itself
    make_user(db, "farida", "operator")
    free = settings.login_free_attempts
    for _ in range(free):
        assert _login(db, settings, "farida", "not-the-password").retry_after == 0

    waits = []
    for _ in range(3):
        refused = _login(db, settings, "farida", PASSWORD)  # the right password, but too soon
        assert refused.user is None
        waits.append(refused.retry_after)
        _let_time_pass(db)
        assert _login(db, settings, "farida", "not-the-password").user is None
    assert waits[0] > 0 and waits[0] < waits[1] < waits[2], waits
    for index, wait in enumerate(waits):  # base 30 s, doubling (a few seconds may have passed meanwhile)
        assert 30 * 2**index - 10 < wait <= 30 * 2**index, waits

    throttled = [r for r in _audit(db, "auth.login") if r.details.get("reason") == "throttled"]
    assert len(throttled) == 3
    assert [r.details["retry_after"] for r in throttled] == waits
    assert all(r.outcome == "failure" for r in throttled)


def test_a_remote_attacker_delays_the_user_elsewhere_by_seconds_at_most(db: Database, settings: Settings) -> None:
    settings.login_user_max_delay_s = 60.0  # generous, so a slow machine does not let it run out by itself
    make_user(db, "gulnar", "dispatcher")
    now = utcnow()
    with db.unit_of_work() as session:  # a long attack: without hashing, straight into the counters
        for _ in range(60):
            throttle.record_failure(session, settings, "gulnar", ELSEWHERE, now)
    with db.reading() as session:
        attacker_wait = throttle.wait_seconds(session, settings, "gulnar", ELSEWHERE, now)
        console_wait = throttle.wait_seconds(session, settings, "gulnar", HERE, now)
        later = now + timedelta(seconds=settings.login_user_max_delay_s + 1)
        assert throttle.wait_seconds(session, settings, "gulnar", HERE, later) == 0
        assert throttle.wait_seconds(session, settings, "gulnar", ELSEWHERE, later) > 0
    assert attacker_wait == settings.login_max_delay_s
    assert 0 < console_wait <= settings.login_user_max_delay_s

    at_console = _login(db, settings, "gulnar", PASSWORD, source=HERE)
    assert at_console.user is None
    assert 0 < at_console.retry_after <= settings.login_user_max_delay_s
    # Only the user-wide delay stands between the operator and their console; let it run out.
    with db.unit_of_work() as session:
        session.execute(update(LoginThrottle).where(LoginThrottle.key == "user:gulnar")
                        .values(not_before=utcnow() - timedelta(seconds=1)))
    assert _login(db, settings, "gulnar", PASSWORD, source=HERE).user is not None
    # ...while the attacker's address is still held back.
    assert _login(db, settings, "gulnar", PASSWORD, source=ELSEWHERE).retry_after > 0


def test_parallel_attempts_get_no_more_guesses_than_sequential_ones(db: Database, settings: Settings) -> None:
    """Attempts fired at once must not all pass the throttle before any failure is counted."""
    settings.login_base_delay_s = 60.0
    make_user(db, "gaukhar", "operator")
    attempts = 8
    start = threading.Barrier(attempts)
    crashes: list[BaseException] = []

    def attempt() -> None:
        try:
            start.wait(30)
            _login(db, settings, "gaukhar", "not-the-password")
        except BaseException as exc:  # reported below
            crashes.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert crashes == []
    reasons = sorted(r.details["reason"] for r in _audit(db, "auth.login"))
    free = settings.login_free_attempts
    assert reasons == ["invalid_credentials"] * free + ["throttled"] * (attempts - free)
    with db.reading() as session:
        counts = {row.key: row.failures for row in session.scalars(select(LoginThrottle))}
    assert counts == {f"pair:gaukhar|{HERE}": free, f"addr:{HERE}": free, "user:gaukhar": free}


def test_success_clears_the_pair_and_user_counters(db: Database, settings: Settings) -> None:
    make_user(db, "hamit", "operator")
    for _ in range(2):
        _login(db, settings, "hamit", "not-the-password")
    assert _login(db, settings, "hamit").user is not None
    with db.reading() as session:
        keys = set(session.scalars(select(LoginThrottle.key)))
    assert keys == {f"addr:{HERE}"}


def test_an_absurd_failure_count_still_gives_a_capped_delay(db: Database, settings: Settings) -> None:
    make_user(db, "ilyas", "operator")
    with db.unit_of_work() as session:
        for key in (f"pair:ilyas|{HERE}", f"addr:{HERE}", "user:ilyas"):
            session.add(LoginThrottle(key=key, failures=100_000, last_failure_at=utcnow(), not_before=utcnow()))
    assert _login(db, settings, "ilyas", "not-the-password").user is None
    refused = _login(db, settings, "ilyas", PASSWORD)
    assert settings.login_max_delay_s - 10 < refused.retry_after <= settings.login_max_delay_s


def test_unlock_clears_the_users_delays(db: Database, settings: Settings) -> None:
    settings.login_base_delay_s = 30.0
    user_id = make_user(db, "jamal", "operator")
    now = utcnow()
    with db.unit_of_work() as session:
        for _ in range(settings.login_free_attempts + 4):
            throttle.record_failure(session, settings, "jamal", HERE, now)
        throttle.record_failure(session, settings, "someone-else", HERE, now)
    assert _login(db, settings, "jamal").retry_after > 0

    with db.unit_of_work() as session:
        cleared = service.unlock(session, user_id=user_id, actor=CLI_ACTOR, ctx=CTX)
    assert cleared == 2  # this user at this address, and this user anywhere
    with db.reading() as session:
        keys = set(session.scalars(select(LoginThrottle.key)))
    assert keys == {f"addr:{HERE}", f"pair:someone-else|{HERE}", "user:someone-else"}
    assert _login(db, settings, "jamal").user is not None
    [record] = _audit(db, "users.unlock")
    assert record.target_id == str(user_id) and record.details == {"cleared": 2}


# --- sessions -------------------------------------------------------------------------------------------


def _open(db: Database, settings: Settings, user_id: int) -> tuple[str, str]:
    with db.unit_of_work() as session:
        token, row = service.open_session(session, settings, user=service.get(session, user_id), source=HERE)
        return token, row.id


def _resolve(db: Database, settings: Settings, token: str) -> service.Principal | None:
    with db.unit_of_work() as session:
        return service.resolve_session(session, settings, token)


def test_session_resolves_to_the_user_with_role_permissions(db: Database, settings: Settings) -> None:
    user_id = make_user(db, "kamila", "supervisor")
    token, row_id = _open(db, settings, user_id)
    principal = _resolve(db, settings, token)
    assert principal is not None
    assert (principal.user_id, principal.username, principal.role, principal.via) == (
        user_id, "kamila", Role.SUPERVISOR, "session")
    assert principal.can(Permission.VIDEO_EXPORT) and not principal.can(Permission.USERS_READ)
    assert principal.csrf_token and principal.credential_id == row_id
    with db.reading() as session:
        stored = session.get(WebSession, row_id)
        assert stored is not None and token not in (stored.id, stored.csrf_token)  # only a hash is stored
        assert stored.expires_at - stored.created_at == timedelta(minutes=settings.session_ttl_minutes)
    assert _resolve(db, settings, token + "x") is None
    assert _resolve(db, settings, "") is None


def test_session_ends_at_its_lifetime(db: Database, settings: Settings) -> None:
    token, row_id = _open(db, settings, make_user(db, "lazzat", "operator"))
    with db.unit_of_work() as session:
        session.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert _resolve(db, settings, token) is None
    with db.reading() as session:
        assert session.get(WebSession, row_id) is None


def test_session_ends_when_idle_and_use_keeps_it_alive(db: Database, settings: Settings) -> None:
    token, row_id = _open(db, settings, make_user(db, "marat", "operator"))
    nearly_idle = utcnow() - timedelta(minutes=settings.session_idle_minutes - 5)
    with db.unit_of_work() as session:
        session.execute(update(WebSession).values(last_seen_at=nearly_idle))
    assert _resolve(db, settings, token) is not None
    with db.reading() as session:
        stored = session.get(WebSession, row_id)
        assert stored is not None and stored.last_seen_at > nearly_idle + timedelta(minutes=4)

    with db.unit_of_work() as session:
        session.execute(update(WebSession).values(
            last_seen_at=utcnow() - timedelta(minutes=settings.session_idle_minutes, seconds=1)))
    assert _resolve(db, settings, token) is None
    with db.reading() as session:
        assert session.get(WebSession, row_id) is None


def test_disabled_users_sessions_no_longer_resolve(db: Database, settings: Settings) -> None:
    user_id = make_user(db, "nurlan", "operator")
    ended, _ = _open(db, settings, user_id)
    _update(db, user_id, is_active=False)
    assert _resolve(db, settings, ended) is None
    with db.reading() as session:
        assert session.scalars(select(WebSession).where(WebSession.user_id == user_id)).all() == []

    # even a session that somehow survived the disabling does not resolve
    _update(db, user_id, is_active=True)
    survivor, _ = _open(db, settings, user_id)
    with db.unit_of_work() as session:
        session.execute(update(User).where(User.id == user_id).values(is_active=False))
    assert _resolve(db, settings, survivor) is None


def test_password_reset_ends_sessions(db: Database, settings: Settings) -> None:
    user_id = make_user(db, "olzhas", "operator")
    token, _ = _open(db, settings, user_id)
    with db.unit_of_work() as session:
        service.set_password(session, user_id=user_id, password="another-long-password", actor=CLI_ACTOR, ctx=CTX)
    assert _resolve(db, settings, token) is None
    assert _login(db, settings, "olzhas", PASSWORD).user is None
    assert _login(db, settings, "olzhas", "another-long-password").user is not None
    assert len(_audit(db, "users.password_reset")) == 1


def test_logout_closes_the_session(db: Database, settings: Settings) -> None:
    token, _ = _open(db, settings, make_user(db, "pavel", "operator"))
    principal = _resolve(db, settings, token)
    assert principal is not None
    with db.unit_of_work() as session:
        service.close_session(session, principal=principal, source=HERE)
    assert _resolve(db, settings, token) is None
    assert [r.actor for r in _audit(db, "auth.logout")] == [f"user:{principal.user_id}"]


# --- tokens ---------------------------------------------------------------------------------------------


def _token(db: Database, user_id: int, scopes: list[Permission], days: int | None = None) -> tuple[str, int]:
    with db.unit_of_work() as session:
        secret, row = service.create_token(
            session, user_id=user_id, token_in=TokenCreate(name="client", scopes=scopes, expires_in_days=days),
            actor=CLI_ACTOR)
        return secret, row.id


def _resolve_token(db: Database, secret: str) -> service.Principal | None:
    with db.unit_of_work() as session:
        return service.resolve_token(session, secret)


def test_token_grants_only_its_scopes(db: Database) -> None:
    user_id = make_user(db, "ruslan", "dispatcher")
    secret, token_id = _token(db, user_id, [Permission.UNITS_READ, Permission.EVENTS_READ])
    assert secret.startswith(service.TOKEN_PREFIX)
    principal = _resolve_token(db, secret)
    assert principal is not None
    assert principal.via == "token" and principal.credential_id == str(token_id)
    assert principal.permissions == {Permission.UNITS_READ, Permission.EVENTS_READ}
    assert not principal.can(Permission.UNITS_DISPATCH)  # the owner has it, the token does not
    assert principal.csrf_token is None
    with db.reading() as session:
        row = session.get(ApiToken, token_id)
        assert row is not None and row.token_hash != secret and secret.startswith(row.prefix)
        assert row.last_used_at is not None
    [record] = _audit(db, "auth.token_create")
    assert record.details == {"name": "client", "scopes": ["events:read", "units:read"]}
    assert secret not in str(record.details)


def test_token_scope_outside_the_role_is_refused(db: Database) -> None:
    user_id = make_user(db, "saule", "operator")
    with pytest.raises(QorgauError) as caught:
        _token(db, user_id, [Permission.EVENTS_READ, Permission.USERS_READ])
    assert caught.value.code == "auth.scope_not_allowed"
    assert caught.value.params == {"scope": Permission.USERS_READ}
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_token_scopes_can_be_limited_to_the_asking_credential(db: Database) -> None:
    user_id = make_user(db, "sanzhar", "dispatcher")
    within = frozenset({Permission.TOKENS_WRITE, Permission.EVENTS_READ})
    with db.unit_of_work() as session:
        _, row = service.create_token(session, user_id=user_id, actor=CLI_ACTOR, within=within,
                                      token_in=TokenCreate(name="ok", scopes=[Permission.EVENTS_READ]))
        assert row.scopes == ["events:read"]
    with pytest.raises(QorgauError) as caught, db.unit_of_work() as session:
        service.create_token(session, user_id=user_id, actor=CLI_ACTOR, within=within,
                             token_in=TokenCreate(name="no", scopes=[Permission.UNITS_DISPATCH]))
    assert caught.value.code == "auth.scope_not_allowed"


def test_revoked_expired_and_unknown_tokens_do_not_resolve(db: Database) -> None:
    user_id = make_user(db, "timur", "analyst")
    revoked, revoked_id = _token(db, user_id, [Permission.STATS_READ])
    expiring, expiring_id = _token(db, user_id, [Permission.STATS_READ], days=30)
    assert _resolve_token(db, expiring) is not None
    with db.unit_of_work() as session:
        service.revoke_token(session, user_id=user_id, token_id=revoked_id, actor=CLI_ACTOR)
        session.execute(update(ApiToken).where(ApiToken.id == expiring_id)
                        .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert _resolve_token(db, revoked) is None
    assert _resolve_token(db, expiring) is None
    assert _resolve_token(db, service.TOKEN_PREFIX + "not-a-real-token") is None
    assert _resolve_token(db, revoked[len(service.TOKEN_PREFIX):]) is None  # without the prefix
    assert len(_audit(db, "auth.token_revoke")) == 1


def test_token_of_a_disabled_or_demoted_owner(db: Database) -> None:
    make_user(db, "admin", "admin")
    user_id = make_user(db, "umit", "admin")
    secret, _ = _token(db, user_id, [Permission.USERS_READ, Permission.EVENTS_READ])
    _update(db, user_id, role=Role.OPERATOR)
    principal = _resolve_token(db, secret)
    assert principal is not None
    assert principal.permissions == {Permission.EVENTS_READ}  # never more than the owner holds now
    _update(db, user_id, is_active=False)
    assert _resolve_token(db, secret) is None


# --- updates and the last administrator -----------------------------------------------------------------


def test_role_change_is_audited_and_published(db: Database) -> None:
    user_id = make_user(db, "vera", "operator")
    user = _update(db, user_id, role=Role.SUPERVISOR, display_name="Vera V.")
    assert user.role == "supervisor"
    [role_change] = _audit(db, "users.role_change")
    assert role_change.target_id == str(user_id)
    assert role_change.details == {"from": "operator", "to": "supervisor"}
    assert role_change.actor == CLI_ACTOR.ref
    [other] = _audit(db, "users.update")
    assert other.details == {"fields": ["display_name"]}
    with db.reading() as session:
        [event] = session.scalars(select(OutboxEvent).where(OutboxEvent.name == "auth.user_updated"))
    assert event.subject_type == "user" and event.subject_id == str(user_id)
    assert event.payload == {"user_id": user_id, "role": "supervisor", "is_active": True,
                             "changes": ["display_name", "role"]}
    assert event.context["actor"] == "system:test"


def test_update_without_changes_writes_nothing(db: Database) -> None:
    user_id = make_user(db, "yerbol", "operator")
    _update(db, user_id, role=Role.OPERATOR, display_name="Yerbol")
    assert _audit(db, "users.role_change") == [] and _audit(db, "users.update") == []
    with db.reading() as session:
        assert session.scalars(select(OutboxEvent).where(OutboxEvent.name == "auth.user_updated")).all() == []


def test_null_for_a_required_field_is_a_validation_error() -> None:
    for field in ("display_name", "role", "is_active"):
        with pytest.raises(ValidationError) as caught:
            UserUpdate.model_validate({field: None})
        assert caught.value.errors()[0]["loc"] == (field,)
    assert UserUpdate.model_validate({"locale": None}).model_dump(exclude_unset=True) == {"locale": None}


def test_last_active_admin_cannot_be_demoted_or_disabled(db: Database) -> None:
    first = make_user(db, "admin", "admin")
    for change in ({"role": Role.OPERATOR}, {"is_active": False}):
        with pytest.raises(Conflict) as caught:
            _update(db, first, **change)
        assert caught.value.code == "users.last_admin"
    second = make_user(db, "admin2", "admin")
    _update(db, first, role=Role.AUDITOR)
    with pytest.raises(Conflict):
        _update(db, second, is_active=False)
    # a disabled administrator does not count as the remaining one
    _update(db, first, role=Role.ADMIN)
    _update(db, first, is_active=False)
    with pytest.raises(Conflict):
        _update(db, second, role=Role.OPERATOR)
    with db.reading() as session:
        active_admins = session.scalar(select(func.count()).select_from(User)
                                       .where(User.role == "admin", User.is_active.is_(True)))
    assert active_admins == 1


def _until_blocked(db: Database, thread: threading.Thread) -> None:
    """Wait until ``thread`` waits on a lock (PostgreSQL shows it; SQLite's busy wait does not) or ends."""
    if db.engine.dialect.name != "postgresql":
        thread.join(0.5)
        return
    deadline = time.monotonic() + 30
    while thread.is_alive() and time.monotonic() < deadline:
        with db.engine.connect() as conn:
            waiting = conn.scalar(text("SELECT count(*) FROM pg_stat_activity "
                                       "WHERE datname = current_database() AND wait_event_type = 'Lock'"))
        if waiting:
            return
        thread.join(0.05)


def test_two_admins_demoting_each_other_at_once_leave_one(db: Database) -> None:
    """Write skew: each transaction alone keeps an admin; both together must not remove the last."""
    first = make_user(db, "admin", "admin")
    second = make_user(db, "admin2", "admin")
    first_pending = threading.Event()
    release_first = threading.Event()
    outcomes: dict[str, str] = {}

    def demote(name: str, user_id: int, hold: bool) -> None:
        try:
            with db.unit_of_work() as session:
                service.update(session, user_id=user_id, user_in=UserUpdate(role=Role.OPERATOR),
                               actor=CLI_ACTOR, ctx=CTX)
                if hold:
                    first_pending.set()
                    release_first.wait(30)
            outcomes[name] = "demoted"
        except Conflict as exc:
            outcomes[name] = exc.code
        finally:
            first_pending.set()

    one = threading.Thread(target=demote, args=("first", first, True))
    one.start()
    assert first_pending.wait(30)
    two = threading.Thread(target=demote, args=("second", second, False))
    two.start()
    _until_blocked(db, two)  # on a correct implementation it waits for the first transaction
    release_first.set()
    one.join(30)
    two.join(30)
    assert not one.is_alive() and not two.is_alive()
    assert sorted(outcomes.values()) == ["demoted", "users.last_admin"], outcomes
    with db.reading() as session:
        active_admins = session.scalar(select(func.count()).select_from(User)
                                       .where(User.role == "admin", User.is_active.is_(True)))
    assert active_admins == 1


def test_login_in_two_steps_refuses_a_password_changed_in_between(db: Database, settings: Settings) -> None:
    from qorgau.auth.passwords import verify_password

    user_id = make_user(db, "twostep", "operator")
    with db.reading() as session:
        check = service.login_precheck(session, settings, username="twostep", source="10.0.0.9")
    verified = verify_password(check.password_hash, PASSWORD)
    with db.unit_of_work() as session:  # an administrator resets the password meanwhile
        service.set_password(session, user_id=user_id, password="another-long-pass", actor=CLI_ACTOR,
                             ctx=Context.system("test"))
    with db.unit_of_work() as session:
        result = service.login_conclude(session, settings, username="twostep", password=PASSWORD,
                                        source="10.0.0.9", check=check, verified=verified)
    assert verified and result.user is None


def test_login_in_two_steps_honours_a_delay_started_in_between(db: Database, settings: Settings) -> None:
    from qorgau.auth import throttle
    from qorgau.auth.passwords import verify_password
    from qorgau.core.time import utcnow

    make_user(db, "racer", "operator")
    with db.reading() as session:
        check = service.login_precheck(session, settings, username="racer", source="10.0.0.8")
    assert check.wait == 0
    with db.unit_of_work() as session:  # parallel wrong guesses from the same address land first
        for _ in range(settings.login_free_attempts + 1):
            throttle.record_failure(session, settings, "racer", "10.0.0.8", utcnow())
    with db.unit_of_work() as session:
        result = service.login_conclude(session, settings, username="racer", password=PASSWORD, source="10.0.0.8",
                                        check=check, verified=verify_password(check.password_hash, PASSWORD))
    assert result.user is None and result.retry_after > 0


def test_a_concurrent_create_of_the_same_name_is_a_conflict(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(db, "twin", "operator")
    monkeypatch.setattr(service, "get_by_username", lambda session, name: None)  # the other request's check passed
    with pytest.raises(Conflict), db.unit_of_work() as session:
        service.create(session, user_in=UserCreate(username="twin", display_name="T", role="operator",
                                                   password=PASSWORD), actor=CLI_ACTOR, ctx=Context.system("test"))


def test_purge_removes_expired_and_idle_sessions(db: Database, settings: Settings) -> None:
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from qorgau.auth.models import WebSession
    from qorgau.core.time import utcnow

    make_user(db, "sleepy", "operator")
    with db.unit_of_work() as session:
        user = service.get_by_username(session, "sleepy")
        assert user is not None
        for _ in range(3):
            service.open_session(session, settings, user=user, source="10.0.0.7")
    ids = []
    with db.reading() as session:
        ids = list(session.scalars(select(WebSession.id).order_by(WebSession.id)))
    with db.unit_of_work() as session:
        session.execute(update(WebSession).where(WebSession.id == ids[0]).values(expires_at=utcnow()))
        session.execute(update(WebSession).where(WebSession.id == ids[1])
                        .values(last_seen_at=utcnow() - timedelta(minutes=settings.session_idle_minutes + 1)))
    with db.unit_of_work() as session:
        purged = service.purge_expired_sessions(session, utcnow(), idle_minutes=settings.session_idle_minutes)
    with db.reading() as session:
        left = session.scalar(select(func.count()).select_from(WebSession))
    assert purged == 2 and left == 1
