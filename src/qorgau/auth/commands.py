"""`qorgau user …` and `qorgau token create`: accounts and bearer tokens from the command line."""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer

from qorgau.audit.commands import cli_actor
from qorgau.core.commands import CommandContext, explain, fail, read_password, regenerate
from qorgau.core.errors import QorgauError

user_app = typer.Typer(help="Manage accounts: add, change password, list, unlock.", no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens for API clients and devices.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name (lower case letters, digits, . _ -).")],
    role: Annotated[str, typer.Option(help="operator, dispatcher, supervisor, inspector, analyst, admin, auditor")],
    display_name: Annotated[str | None, typer.Option(help="Full name shown in the UI.")] = None,
    locale: Annotated[str | None, typer.Option(help="kk, ru or en.")] = None,
) -> None:
    """Create an account. The password is asked for, or read from standard input in scripts."""
    from pydantic import ValidationError

    from qorgau.auth import service
    from qorgau.auth.schemas import UserCreate
    from qorgau.core.bus import Context

    cli = CommandContext()
    password = read_password()
    try:
        user_in = UserCreate(username=name, display_name=display_name or name, role=role, password=password,
                             locale=locale)
    except ValidationError as exc:
        raise fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from exc
    try:
        with cli.db.unit_of_work() as session:
            user = service.create(session, user_in=user_in, actor=cli_actor(), ctx=Context.system("cli"))
    except QorgauError as exc:
        raise fail(explain(exc)) from exc
    typer.echo(f"created user {user.username} (id {user.id}, role {user.role})")


@user_app.command("bootstrap")
def user_bootstrap(
    name: Annotated[str, typer.Option(help="Login name of the first administrator.")] = "admin",
) -> None:
    """Create the first administrator if there is no user yet. Password from standard input, or a
    one-time random password printed once when standard input is empty."""
    from sqlalchemy import func, select

    from qorgau.auth import service
    from qorgau.auth.models import User
    from qorgau.auth.schemas import UserCreate
    from qorgau.core.bus import Context

    cli = CommandContext()
    with cli.db.unit_of_work() as session:
        if (session.scalar(select(func.count()).select_from(User)) or 0) > 0:
            typer.echo("users exist already; nothing to do")
            return
        given = "" if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
        password = given or secrets.token_urlsafe(12)
        try:
            service.create(session, user_in=UserCreate(username=name, display_name="Administrator",
                                                       role="admin", password=password),
                           actor=cli_actor(), ctx=Context.system("cli"))
        except QorgauError as exc:
            raise fail(explain(exc)) from exc
    if given:
        typer.echo(f"created administrator {name} with the given password")
    else:
        typer.secho(f"created administrator {name}; one-time password: {password}", fg=typer.colors.YELLOW)
        typer.echo("change it after the first sign-in (`qorgau user passwd` or the API).")


def _user_id(cli: CommandContext, name: str) -> int:
    from qorgau.auth import service

    with cli.db.reading() as session:
        user = service.get_by_username(session, name)
        if user is None:
            raise fail(f"no user named {name}")
        return user.id


@user_app.command("passwd")
def user_passwd(name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Set a user's password (asked for, or read from standard input). Their sessions end."""
    from qorgau.auth import service
    from qorgau.core.bus import Context

    cli = CommandContext()
    user_id = _user_id(cli, name)
    password = read_password()
    try:
        with cli.db.unit_of_work() as session:
            service.set_password(session, user_id=user_id, password=password, actor=cli_actor(),
                                 ctx=Context.system("cli"))
    except QorgauError as exc:
        raise fail(explain(exc)) from exc
    typer.echo(f"password of {name} changed")


@user_app.command("list")
def user_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List accounts with role and state."""
    from qorgau.auth import service

    cli = CommandContext()
    with cli.db.reading() as session:
        users = service.page(session, after_id=None, limit=100_000)
        rows = [{"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
                 "active": u.is_active} for u in users]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        state = "active" if row["active"] else "disabled"
        typer.echo(f"{row['id']:>5}  {row['username']:<24} {row['role']:<11} {state:<8} {row['display_name']}")


@user_app.command("roles")
def user_roles(
    readme: Annotated[Path, typer.Option(help="The Markdown file holding the role list.")] = Path("README.md"),
    check: Annotated[bool, typer.Option(help="Exit 1 if the role list is out of date instead of writing it.")] = False,
) -> None:
    """Regenerate the README's role list from the permission table."""
    from qorgau.auth.roles_doc import with_roles

    regenerate(readme, with_roles, what="role list", command="qorgau user roles", check=check)


@user_app.command("unlock")
def user_unlock(name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Clear a user's sign-in delays after failed attempts."""
    from qorgau.auth import service
    from qorgau.core.bus import Context

    cli = CommandContext()
    user_id = _user_id(cli, name)
    with cli.db.unit_of_work() as session:
        cleared = service.unlock(session, user_id=user_id, actor=cli_actor(), ctx=Context.system("cli"))
    typer.echo(f"{name}: cleared {cleared} throttle record(s)")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Owner's login name.")],
    label: Annotated[str, typer.Option("--name", help="What the token is for.")],
    scope: Annotated[list[str], typer.Option(help="Permission to grant; repeat for more.")],
    days: Annotated[int | None, typer.Option(help="Expire after this many days.")] = None,
) -> None:
    """Create a bearer token for an API client or device; the secret is printed once."""
    from pydantic import ValidationError

    from qorgau.auth import service
    from qorgau.auth.schemas import TokenCreate

    cli = CommandContext()
    user_id = _user_id(cli, name)
    try:
        token_in = TokenCreate(name=label, scopes=scope, expires_in_days=days)
        with cli.db.unit_of_work() as session:
            secret, _ = service.create_token(session, user_id=user_id, token_in=token_in, actor=cli_actor())
    except ValidationError as exc:
        raise fail(str(exc)) from exc
    except QorgauError as exc:
        raise fail(explain(exc)) from exc
    typer.echo(secret)
