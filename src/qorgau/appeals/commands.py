"""`qorgau appeals calendar add|list|remove`: the decreed transfers of working days; `qorgau appeals check`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from qorgau.audit.commands import cli_actor
from qorgau.core.commands import CommandContext, explain, fail
from qorgau.core.errors import QorgauError

appeals_app = typer.Typer(help="Residents' appeals: the working-day calendar and the deadline check.",
                          no_args_is_help=True)
calendar_app = typer.Typer(help="Decreed working days and days off (public holidays come with Qorgau).",
                           no_args_is_help=True)
appeals_app.add_typer(calendar_app, name="calendar")


def register(app: typer.Typer) -> None:
    app.add_typer(appeals_app, name="appeals")


@calendar_app.command("list")
def calendar_list(year: Annotated[int | None, typer.Option(help="Only this year.")] = None) -> None:
    """Print the overrides, one a line: date, working or off, reason."""
    from qorgau.appeals import actions

    cli = CommandContext()
    with cli.db.unit_of_work() as session:
        for day in actions.calendar_days(session, year=year):
            typer.echo(f"{day.day.isoformat()}  {'working' if day.working else 'off':7}  {day.reason}")


@calendar_app.command("add")
def calendar_add(
    day: Annotated[str, typer.Argument(help="The date, YYYY-MM-DD.")],
    reason: Annotated[str, typer.Option(help="The decree or cause.")],
    working: Annotated[bool, typer.Option("--working/--off", help="A working day (e.g. a Saturday) or a day "
                                                                   "off.")] = True,
) -> None:
    """Add or replace a decreed working day or day off; audited."""
    from pydantic import ValidationError

    from qorgau.appeals import actions
    from qorgau.appeals.schemas import AppealCalendarDay

    try:
        day_in = AppealCalendarDay(day=date.fromisoformat(day), working=working, reason=reason)
    except (ValueError, ValidationError) as exc:
        raise fail(f"invalid override: {exc}") from exc
    cli = CommandContext()
    with cli.db.unit_of_work() as session:
        actions.calendar_add(session, day_in=day_in, actor=cli_actor())
    typer.echo(f"{day}: {'working' if working else 'off'}")


@calendar_app.command("remove")
def calendar_remove(day: Annotated[str, typer.Argument(help="The date, YYYY-MM-DD.")]) -> None:
    """Remove an override; audited."""
    from qorgau.appeals import actions

    try:
        when = date.fromisoformat(day)
    except ValueError as exc:
        raise fail(f"invalid date: {day}") from exc
    cli = CommandContext()
    try:
        with cli.db.unit_of_work() as session:
            actions.calendar_remove(session, day=when, actor=cli_actor())
    except QorgauError as exc:
        raise fail(explain(exc)) from exc
    typer.echo(f"{day}: removed")


@appeals_app.command("check")
def check() -> None:
    """Run the reminder and overdue check once (the server runs it periodically)."""
    from qorgau.appeals.config import AppealsSettings
    from qorgau.appeals.workers import check_database

    cli = CommandContext()
    result = check_database(cli.db, cli.settings.part(AppealsSettings))
    typer.echo(f"reminded {result.reminded}, overdue {result.overdue}")
