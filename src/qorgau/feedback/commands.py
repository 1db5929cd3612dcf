"""`qorgau feedback …`: residents' satisfaction per district and inspector, from the command line."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

import typer

from qorgau.core.commands import CommandContext, explain, fail
from qorgau.core.errors import QorgauError

feedback_app = typer.Typer(help="Residents' feedback after appeals and incidents.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(feedback_app, name="feedback")


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@feedback_app.command("figures")
def feedback_figures(
    start: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="First local day of the period.")],
    end: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Last local day (included).")],
    include_simulated: Annotated[bool, typer.Option(help="Count answers about simulated subjects.")] = False,
) -> None:
    """Per district and inspector: feedback asked, answers, mean score, share satisfied (4–5), response rate."""
    from qorgau.feedback import service

    first, last = date(start.year, start.month, start.day), date(end.year, end.month, end.day)
    if last < first:
        raise fail("the period ends before it starts")
    cli = CommandContext()
    zone = cli.settings.zone
    try:
        with cli.db.reading() as session:
            rows = service.figures(session, start=datetime.combine(first, time(), zone),
                                   end=datetime.combine(last + timedelta(days=1), time(), zone),
                                   include_simulated=include_simulated)
    except QorgauError as exc:
        raise fail(explain(exc)) from exc
    total = service.combine(rows)
    typer.echo(f"{first.isoformat()} — {last.isoformat()}: {total.requests} asked, {total.answers} answered, "
               f"mean {total.mean_score if total.mean_score is not None else '—'}, satisfied "
               f"{_share(total.satisfied_share)}, response {_share(total.response_rate)}")
    for row in rows:
        typer.echo(f"  district {row.district_id or '—':>4} inspector {row.inspector_id or '—':>4}: "
                   f"{row.requests:>4} asked {row.answers:>4} answered, mean "
                   f"{row.mean_score if row.mean_score is not None else '—'}, satisfied "
                   f"{_share(row.satisfied_share)}, response {_share(row.response_rate)}")
