"""Accounts, sign-in, sessions and tokens. Functions never commit; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.audit.enums import Action, Outcome
from qorgau.auth import throttle
from qorgau.auth.enums import OWN_UNIT_ONLY, SIMULATED_ONLY, Permission, Role, permissions_of
from qorgau.auth.events import USER_CREATED, USER_UPDATED, UserChanged
from qorgau.auth.models import ApiToken, User, WebSession
from qorgau.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    new_token,
    token_digest,
    verify_password,
)
from qorgau.auth.schemas import TokenCreate, UserCreate, UserUpdate
from qorgau.core.bus import Context, EventType, publish
from qorgau.core.errors import Conflict, NotFound, QorgauError
from qorgau.core.settings import CoreSettings
from qorgau.core.time import utcnow

TOKEN_PREFIX = "qgt_"


@dataclass(frozen=True)
class Principal:
    """The caller of a request: a user, with the permissions this credential grants."""

    user_id: int
    username: str
    role: Role
    permissions: frozenset[Permission]
    via: str  # "session" or "token"
    credential_id: str
    csrf_token: str | None = None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def simulated_only(self) -> bool:
        """Whether this caller's writes reach only what is marked simulated (the simulator's role)."""
        return self.role in SIMULATED_ONLY

    @property
    def own_unit_only(self) -> bool:
        """Whether this caller reads the work of its own unit only (a crew member)."""
        return self.role in OWN_UNIT_ONLY

    def confine(self, *, simulated: bool) -> None:
        """Refuse (403) a write to a real target by a caller confined to simulated ones."""
        if self.simulated_only and not simulated:
            raise QorgauError("auth.simulated_only", status=403)

    def actor(self, source: str | None) -> audit.Actor:
        return audit.Actor(ref=f"user:{self.user_id}", name=self.username, source=source)

    def context(self) -> Context:
        return Context.for_user(self.user_id)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise QorgauError("auth.weak_password", status=422, params={"min": MIN_PASSWORD_LENGTH},
                          errors=[{"field": "password", "message": f"min {MIN_PASSWORD_LENGTH} characters"}])


def get_by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username.strip().lower())).one_or_none()


def get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def _changed(session: Session, user: User, kind: EventType[UserChanged], changes: list[str], ctx: Context) -> None:
    payload = UserChanged(user_id=user.id, role=user.role, is_active=user.is_active, changes=changes)
    publish(session, kind, subject_id=str(user.id), payload=payload, ctx=ctx)


def all_simulated(session: Session, user_ids: Iterable[int]) -> bool:
    """Whether every one of these accounts exists and is a simulated crew account."""
    wanted = set(user_ids)
    if not wanted:
        return True
    found = session.scalars(select(User.id).where(User.id.in_(wanted), User.simulated.is_(True))).all()
    return set(found) == wanted


def create(session: Session, *, user_in: UserCreate, actor: audit.Actor, ctx: Context,
           simulated: bool = False) -> User:
    check_password_strength(user_in.password)
    if get_by_username(session, user_in.username) is not None:
        raise Conflict("users.exists", params={"username": user_in.username})
    now = utcnow()
    user = User(
        username=user_in.username.lower(), display_name=user_in.display_name, role=str(user_in.role),
        password_hash=hash_password(user_in.password), locale=user_in.locale, is_active=True, simulated=simulated,
        created_at=now, updated_at=now, password_changed_at=now,
    )
    try:
        with session.begin_nested():  # a concurrent create of the same name loses cleanly, not with a 500
            session.add(user)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("users.exists", params={"username": user_in.username}) from exc
    audit.record(session, action=Action.USER_CREATE, actor=actor, target_type="user", target_id=str(user.id),
                 details={"username": user.username, "role": user.role})
    _changed(session, user, USER_CREATED, ["created"], ctx)
    return user


def _active_admins(session: Session) -> int:
    # Locks the rows (PostgreSQL) so two concurrent demotions cannot each see the other admin and both pass;
    # SQLite serialises writers already. FOR UPDATE does not combine with count(), hence the list.
    query = select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True)).with_for_update()
    return len(session.scalars(query).all())


def update(session: Session, *, user_id: int, user_in: UserUpdate, actor: audit.Actor, ctx: Context) -> User:
    user = get(session, user_id)
    changes = {k: v for k, v in user_in.model_dump(exclude_unset=True).items() if getattr(user, k) != v}
    losing_admin = user.role == Role.ADMIN and user.is_active and (
        ("role" in changes and changes["role"] != Role.ADMIN) or changes.get("is_active") is False
    )
    if losing_admin and _active_admins(session) <= 1:
        raise Conflict("users.last_admin")
    if not changes:
        return user
    old_role = user.role
    for key, value in changes.items():
        setattr(user, key, str(value) if key == "role" else value)
    user.updated_at = utcnow()
    if "role" in changes:
        audit.record(session, action=Action.USER_ROLE_CHANGE, actor=actor, target_type="user",
                     target_id=str(user.id), details={"from": old_role, "to": user.role})
    if changes.keys() - {"role"}:
        audit.record(session, action=Action.USER_UPDATE, actor=actor, target_type="user", target_id=str(user.id),
                     details={"fields": sorted(changes.keys() - {"role"})})
    if changes.get("is_active") is False:
        end_sessions(session, user.id)
    _changed(session, user, USER_UPDATED, sorted(changes), ctx)
    return user


def set_password(session: Session, *, user_id: int, password: str, actor: audit.Actor, ctx: Context) -> User:
    """An administrator (or the CLI) sets a password; the user's other sessions end."""
    check_password_strength(password)
    user = get(session, user_id)
    user.password_hash = hash_password(password)
    user.password_changed_at = user.updated_at = utcnow()
    end_sessions(session, user.id)
    audit.record(session, action=Action.USER_PASSWORD_RESET, actor=actor, target_type="user", target_id=str(user.id))
    _changed(session, user, USER_UPDATED, ["password"], ctx)
    return user


def change_own_password(
    session: Session, *, principal: Principal, current: str, new: str, source: str | None
) -> None:
    user = get(session, principal.user_id)
    if not verify_password(user.password_hash, current):
        audit.record(session, action=Action.PASSWORD_CHANGE, actor=principal.actor(source),
                     outcome=Outcome.FAILURE, target_type="user", target_id=str(user.id))
        raise QorgauError("auth.wrong_current_password", status=400,
                          errors=[{"field": "current_password", "message": "wrong"}])
    check_password_strength(new)
    user.password_hash = hash_password(new)
    user.password_changed_at = user.updated_at = utcnow()
    session.execute(delete(WebSession).where(WebSession.user_id == user.id,
                                             WebSession.id != principal.credential_id))
    audit.record(session, action=Action.PASSWORD_CHANGE, actor=principal.actor(source),
                 target_type="user", target_id=str(user.id))


def unlock(session: Session, *, user_id: int, actor: audit.Actor, ctx: Context) -> int:
    user = get(session, user_id)
    cleared = throttle.unlock(session, user.username)
    audit.record(session, action=Action.USER_UNLOCK, actor=actor, target_type="user", target_id=str(user.id),
                 details={"cleared": cleared})
    _changed(session, user, USER_UPDATED, ["unlocked"], ctx)
    return cleared


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    retry_after: int = 0


@dataclass(frozen=True)
class LoginCheck:
    """What a sign-in attempt learns before the password is verified (outside any write transaction)."""

    wait: int
    password_hash: str | None


def login_precheck(session: Session, settings: CoreSettings, *, username: str, source: str) -> LoginCheck:
    """The throttle's verdict and the stored hash, read without taking the write lock."""
    wait = throttle.wait_seconds(session, settings, username, source, utcnow())
    user = get_by_username(session, username) if wait == 0 else None
    return LoginCheck(wait, user.password_hash if user is not None else None)


def login_conclude(
    session: Session, settings: CoreSettings, *, username: str, password: str, source: str, check: LoginCheck,
    verified: bool,
) -> LoginResult:
    """Count and audit the attempt under the throttle's lock; succeeds only if nothing changed meanwhile.

    The password was verified before this transaction (argon2 costs ~100 ms, too long to hold SQLite's write
    lock); the throttle is checked again here, so parallel guesses cannot slip past a delay another attempt
    has just started, and a password changed in between is not accepted.
    """
    throttle.serialise_attempts(session, username, source)
    now = utcnow()
    wait = throttle.wait_seconds(session, settings, username, source, now)
    name_for_audit = username.strip().lower()[:64]
    if wait > 0 or check.wait > 0:
        wait = max(wait, check.wait, 1)
        audit.record(session, action=Action.LOGIN, outcome=Outcome.FAILURE,
                     actor=audit.Actor(ref="anonymous", name=name_for_audit, source=source),
                     details={"reason": "throttled", "retry_after": wait})
        return LoginResult(None, retry_after=wait)
    user = get_by_username(session, username)
    ok = verified and user is not None and user.password_hash == check.password_hash
    if not ok or user is None or not user.is_active:
        throttle.record_failure(session, settings, username, source, now)
        reason = "inactive" if (ok and user is not None) else "invalid_credentials"
        audit.record(session, action=Action.LOGIN, outcome=Outcome.FAILURE,
                     actor=audit.Actor(ref=f"user:{user.id}" if user else "anonymous", name=name_for_audit,
                                       source=source),
                     details={"reason": reason})
        return LoginResult(None)
    throttle.record_success(session, username, source)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, action=Action.LOGIN, actor=audit.Actor(ref=f"user:{user.id}", name=user.username,
                                                                 source=source))
    return LoginResult(user)


def authenticate(
    session: Session, settings: CoreSettings, *, username: str, password: str, source: str
) -> LoginResult:
    """Check a password under the throttle in one transaction; every attempt is audited."""
    throttle.serialise_attempts(session, username, source)
    check = login_precheck(session, settings, username=username, source=source)
    verified = check.wait == 0 and verify_password(check.password_hash, password)
    return login_conclude(session, settings, username=username, password=password, source=source, check=check,
                          verified=verified)


def principal_for(user: User, *, via: str, credential_id: str, scopes: list[str] | None = None,
                  csrf_token: str | None = None) -> Principal:
    granted = permissions_of(user.role)
    if scopes is not None:
        granted = frozenset(p for p in granted if p in set(scopes))
    return Principal(user.id, user.username, Role(user.role), granted, via, credential_id, csrf_token)


def open_session(session: Session, settings: CoreSettings, *, user: User, source: str) -> tuple[str, WebSession]:
    """A new web session; returns the cookie token (only its hash is stored)."""
    token = new_token()
    now = utcnow()
    row = WebSession(
        id=token_digest(token), user_id=user.id, csrf_token=new_token(), created_at=now, last_seen_at=now,
        expires_at=now + timedelta(minutes=settings.session_ttl_minutes), source=source[:64],
    )
    session.add(row)
    return token, row


def resolve_session(session: Session, settings: CoreSettings, token: str) -> Principal | None:
    row = session.get(WebSession, token_digest(token))
    now = utcnow()
    if row is None:
        return None
    idle_limit = row.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if row.expires_at <= now or idle_limit <= now:
        session.delete(row)
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if (now - row.last_seen_at).total_seconds() > 60:  # avoid a write on every request
        row.last_seen_at = now
    return principal_for(user, via="session", credential_id=row.id, csrf_token=row.csrf_token)


def close_session(session: Session, *, principal: Principal, source: str | None) -> None:
    row = session.get(WebSession, principal.credential_id)
    if row is not None:
        session.delete(row)
    audit.record(session, action=Action.LOGOUT, actor=principal.actor(source))


def end_sessions(session: Session, user_id: int) -> None:
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def purge_expired_sessions(session: Session, now: datetime, *, idle_minutes: int) -> int:
    """Delete sessions past their lifetime or idle too long."""
    idle_since = now - timedelta(minutes=idle_minutes)
    result = session.execute(delete(WebSession).where(
        or_(WebSession.expires_at <= now, WebSession.last_seen_at <= idle_since)))
    return int(getattr(result, "rowcount", 0) or 0)


def create_token(
    session: Session, *, user_id: int, token_in: TokenCreate, actor: audit.Actor,
    within: frozenset[Permission] | None = None,
) -> tuple[str, ApiToken]:
    """``within``: the permissions of the credential asking, so a scoped token cannot mint a broader one."""
    user = get(session, user_id)
    allowed = permissions_of(user.role) if within is None else permissions_of(user.role) & within
    for scope in token_in.scopes:
        if scope not in allowed:
            raise QorgauError("auth.scope_not_allowed", status=422, params={"scope": scope},
                              errors=[{"field": "scopes", "message": f"{scope} not held by the owner"}])
    secret = new_token(TOKEN_PREFIX)
    now = utcnow()
    row = ApiToken(
        user_id=user.id, name=token_in.name, prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=token_digest(secret), scopes=sorted(str(s) for s in token_in.scopes), created_at=now,
        expires_at=now + timedelta(days=token_in.expires_in_days) if token_in.expires_in_days else None,
    )
    session.add(row)
    session.flush()
    audit.record(session, action=Action.TOKEN_CREATE, actor=actor, target_type="token", target_id=str(row.id),
                 details={"name": row.name, "scopes": row.scopes})
    return secret, row


def resolve_token(session: Session, secret: str) -> Principal | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == token_digest(secret))).one_or_none()
    now = utcnow()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
    return principal_for(user, via="token", credential_id=str(row.id), scopes=row.scopes)


def list_tokens(session: Session, *, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)))


def revoke_token(session: Session, *, user_id: int, token_id: int, actor: audit.Actor) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id:
        raise NotFound()
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, action=Action.TOKEN_REVOKE, actor=actor, target_type="token", target_id=str(row.id))
    return row


def page(session: Session, *, after_id: int | None, limit: int) -> list[User]:
    query = select(User).order_by(User.id).limit(limit)
    if after_id is not None:
        query = query.where(User.id > after_id)
    return list(session.scalars(query))
