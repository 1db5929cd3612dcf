"""Sign-in as one step over two transactions: argon2 runs between them, outside SQLite's write lock."""

from __future__ import annotations

from dataclasses import dataclass

from qorgau.auth import service
from qorgau.auth.passwords import verify_password
from qorgau.auth.service import Principal
from qorgau.core.db import Database
from qorgau.core.settings import CoreSettings


@dataclass(frozen=True)
class SignIn:
    """What a sign-in came to: a new web session (its cookie token and principal), or why there is none."""

    token: str | None = None
    principal: Principal | None = None
    display_name: str = ""
    locale: str | None = None
    retry_after: int = 0  # > 0: throttled for this many seconds; 0 with no principal: wrong credentials


def sign_in(db: Database, settings: CoreSettings, *, username: str, password: str, source: str) -> SignIn:
    """Check a password under the throttle and open a session; a failed attempt's count and audit record commit.

    Its own two transactions, unlike a service function: the throttle's verdict and the stored hash are read
    first, the password is verified with no transaction open (~100 ms), and the attempt is concluded under the
    throttle's lock in a write transaction (see `service.login_conclude`).
    """
    with db.reading() as read:
        check = service.login_precheck(read, settings, username=username, source=source)
    verified = check.wait == 0 and verify_password(check.password_hash, password)
    with db.unit_of_work() as session:
        result = service.login_conclude(session, settings, username=username, password=password, source=source,
                                        check=check, verified=verified)
        if result.user is None:
            return SignIn(retry_after=result.retry_after)
        token, row = service.open_session(session, settings, user=result.user, source=source)
        principal = service.principal_for(result.user, via="session", credential_id=row.id,
                                          csrf_token=row.csrf_token)
        return SignIn(token=token, principal=principal, display_name=result.user.display_name,
                      locale=result.user.locale)
