"""HTTP routes of the auth domain: sign-in, session, users, roles and API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse

from qorgau.auth import service
from qorgau.auth.deps import SESSION_COOKIE, CurrentPrincipal, Public, Require, check_origin
from qorgau.auth.enums import ROLE_PERMISSIONS, Permission, Role
from qorgau.auth.login import sign_in
from qorgau.auth.schemas import (
    LoginIn,
    Me,
    PasswordChange,
    PasswordReset,
    RoleRead,
    SessionRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from qorgau.auth.service import Principal
from qorgau.core.errors import Forbidden, QorgauError
from qorgau.core.pagination import DEFAULT_LIMIT, Page, decode_int_cursor, encode_cursor
from qorgau.core.problems import problem
from qorgau.core.web import AppRuntime, ClientSource, DbSession, IdPath, PageLimit, ReadSession

router = APIRouter(prefix="/api", tags=["auth"])


def _session_body(principal: Principal, display_name: str, locale: str | None) -> SessionRead:
    me = Me(id=principal.user_id, username=principal.username, display_name=display_name, role=principal.role,
            permissions=sorted(principal.permissions), locale=locale)
    return SessionRead(user=me, csrf_token=principal.csrf_token or "")


@router.post("/auth/login", response_model=SessionRead, dependencies=[Public],
             responses={401: {"description": "Wrong username or password"}, 429: {"description": "Throttled"}})
def login(body: LoginIn, request: Request, response: Response, runtime: AppRuntime,
          source: ClientSource) -> SessionRead | JSONResponse:
    """Sign in with a username and password; sets the HTTP-only session cookie."""
    check_origin(request)  # a foreign page must not sign a browser in (login CSRF), as with every other write
    settings = runtime.settings
    outcome = sign_in(runtime.db, settings, username=body.username, password=body.password, source=source)
    if outcome.principal is None or outcome.token is None:
        if outcome.retry_after:
            runtime.metrics.login_failures.labels("throttled").inc()
            return problem(request, status=429, code="auth.throttled", params={"retry_after": outcome.retry_after},
                           headers={"Retry-After": str(outcome.retry_after)},
                           extra={"retry_after": outcome.retry_after})
        runtime.metrics.login_failures.labels("invalid_credentials").inc()
        return problem(request, status=401, code="auth.invalid_credentials")
    response.set_cookie(
        SESSION_COOKIE, outcome.token, httponly=True, samesite="strict", secure=settings.secure_cookies,
        max_age=settings.session_ttl_minutes * 60, path="/",
    )
    return _session_body(outcome.principal, outcome.display_name, outcome.locale)


@router.post("/auth/logout", status_code=204)
def logout(principal: CurrentPrincipal, db: DbSession, source: ClientSource) -> Response:
    """End this web session."""
    if principal.via == "session":
        service.close_session(db, principal=principal, source=source)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/auth/session", response_model=SessionRead)
def current_session(principal: CurrentPrincipal, db: ReadSession) -> SessionRead:
    """Who is signed in, with their permissions and the CSRF token."""
    user = service.get(db, principal.user_id)
    return _session_body(principal, user.display_name, user.locale)


@router.post("/auth/password", status_code=204)
def change_password(body: PasswordChange, request: Request, principal: CurrentPrincipal, db: DbSession,
                    source: ClientSource) -> Response:
    """Change your own password (from a signed-in browser session, not with an API token)."""
    if principal.via != "session":
        raise Forbidden(params={"permission": "session"}, extra={"permission": "session"})
    try:
        service.change_own_password(db, principal=principal, current=body.current_password,
                                    new=body.new_password, source=source)
    except QorgauError as exc:
        if exc.code != "auth.wrong_current_password":
            raise
        # Returned, not raised: the audit record of the failed attempt must commit.
        return problem(request, status=exc.status, code=exc.code, params=exc.params, errors=exc.errors)
    return Response(status_code=204)


@router.get("/roles", response_model=list[RoleRead])
def roles(_: Annotated[Principal, Require(Permission.USERS_READ)]) -> list[RoleRead]:
    """Every role and the permissions it holds."""
    return [RoleRead(role=role, permissions=sorted(perms)) for role, perms in ROLE_PERMISSIONS.items()]


@router.get("/users", response_model=Page[UserRead])
def list_users(_: Annotated[Principal, Require(Permission.USERS_READ)], db: ReadSession,
               cursor: str | None = None, limit: PageLimit = DEFAULT_LIMIT) -> Page[UserRead]:
    """Accounts, oldest first."""
    rows = service.page(db, after_id=decode_int_cursor(cursor), limit=limit + 1)
    items = [UserRead.model_validate(u) for u in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None)


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(body: UserCreate, principal: Annotated[Principal, Require(Permission.USERS_WRITE)],
                db: DbSession, source: ClientSource) -> UserRead:
    """Create an account."""
    _crews_only(principal, body.role)
    user = service.create(db, user_in=body, actor=principal.actor(source), ctx=principal.context(),
                          simulated=principal.simulated_only)
    return UserRead.model_validate(user)


def _crews_only(principal: Principal, *roles: str | None) -> None:
    """The simulator's account manages the crews it plays (role patrol) and no other account."""
    if principal.simulated_only and any(role not in (None, Role.PATROL) for role in roles):
        raise QorgauError("auth.crew_accounts_only", status=403)


def _own_crew(principal: Principal, db: Session, user_id: int) -> None:
    """A caller confined to simulated things manages only the crew accounts it made (marked simulated)."""
    user = service.get(db, user_id)
    principal.confine(simulated=user.simulated)
    _crews_only(principal, user.role)


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(user_id: IdPath, _: Annotated[Principal, Require(Permission.USERS_READ)], db: ReadSession) -> UserRead:
    return UserRead.model_validate(service.get(db, user_id))


@router.patch("/users/{user_id}", response_model=UserRead)
def update_user(user_id: IdPath, body: UserUpdate, principal: Annotated[Principal, Require(Permission.USERS_WRITE)],
                db: DbSession, source: ClientSource) -> UserRead:
    """Change a user's name, role, language or whether they may sign in."""
    _own_crew(principal, db, user_id)
    _crews_only(principal, body.role)
    user = service.update(db, user_id=user_id, user_in=body, actor=principal.actor(source),
                          ctx=principal.context())
    return UserRead.model_validate(user)


@router.post("/users/{user_id}/password", status_code=204)
def reset_password(user_id: IdPath, body: PasswordReset,
                   principal: Annotated[Principal, Require(Permission.USERS_WRITE)], db: DbSession,
                   source: ClientSource) -> Response:
    """Set a user's password (their sessions end)."""
    _own_crew(principal, db, user_id)
    service.set_password(db, user_id=user_id, password=body.password, actor=principal.actor(source),
                         ctx=principal.context())
    return Response(status_code=204)


@router.post("/users/{user_id}/unlock")
def unlock_user(user_id: IdPath, principal: Annotated[Principal, Require(Permission.USERS_WRITE)], db: DbSession,
                source: ClientSource) -> dict[str, int]:
    """Clear the sign-in delays of a user."""
    _own_crew(principal, db, user_id)
    return {"cleared": service.unlock(db, user_id=user_id, actor=principal.actor(source), ctx=principal.context())}


@router.get("/auth/tokens", response_model=list[TokenRead])
def list_tokens(principal: Annotated[Principal, Require(Permission.TOKENS_WRITE)], db: ReadSession
                ) -> list[TokenRead]:
    """Your API tokens (never their secrets)."""
    return [TokenRead.model_validate(t) for t in service.list_tokens(db, user_id=principal.user_id)]


@router.post("/auth/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenCreate, principal: Annotated[Principal, Require(Permission.TOKENS_WRITE)],
                 db: DbSession, source: ClientSource) -> TokenCreated:
    """Create a bearer token limited to some of your permissions; its secret is shown once."""
    secret, row = service.create_token(db, user_id=principal.user_id, token_in=body, actor=principal.actor(source),
                                       within=principal.permissions)
    return TokenCreated(**TokenRead.model_validate(row).model_dump(), token=secret)


@router.delete("/auth/tokens/{token_id}", status_code=204)
def revoke_token(token_id: IdPath, principal: Annotated[Principal, Require(Permission.TOKENS_WRITE)],
                 db: DbSession, source: ClientSource) -> Response:
    service.revoke_token(db, user_id=principal.user_id, token_id=token_id, actor=principal.actor(source))
    return Response(status_code=204)
