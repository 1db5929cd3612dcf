"""`qorgau coverage …`: residents within reach of the police points, and where new posts should stand."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

import typer

from qorgau.city.enums import Mode
from qorgau.core.commands import CommandContext, explain, fail
from qorgau.core.errors import QorgauError

coverage_app = typer.Typer(help="Police within walking distance: coverage and post placement.", no_args_is_help=True)


@contextmanager
def _without_solver_banner() -> Iterator[None]:
    """HiGHS prints its banner on the process's standard output (file descriptor 1, below Python) when the first
    solver is made; a command's output is for its figures. Safe here: a command runs one thread."""
    sys.stdout.flush()
    saved, quiet = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(quiet)


def register(app: typer.Typer) -> None:
    app.add_typer(coverage_app, name="coverage")


@coverage_app.command("show")
def coverage_show() -> None:
    """Residents within each walking threshold and the drive-time one, and the largest uncovered clusters."""
    from qorgau.coverage import service
    from qorgau.coverage.config import CoverageSettings

    cli = CommandContext()
    try:
        with cli.db.reading() as session:
            found = service.coverage(session, settings=cli.settings.part(CoverageSettings))
    except QorgauError as exc:
        raise fail(explain(exc)) from exc
    typer.echo(f"{len(found.points)} police points, walking at {found.walk_speed_kmh} km/h "
               f"({found.seconds * 1000:.0f} ms){' — generated model' if found.generated else ''}")
    for level in [*found.walk, found.drive]:
        typer.echo(f"  {level.mode:<5} {level.minutes:>2} min: {level.overall.covered:>9,.0f} of "
                   f"{level.overall.residents:,.0f} residents ({level.overall.share:.1%})")
    for cluster in found.uncovered[:10]:
        typer.echo(f"  uncovered: {cluster.residents:>7,.0f} residents in {len(cluster.cells)} cells near "
                   f"{cluster.lat:.5f}, {cluster.lon:.5f} ({cluster.settlement or '—'})")


@coverage_app.command("place")
def coverage_place(
    mode: Annotated[str, typer.Option(help="maximal (most residents for --posts) or set (fewest posts).")] = "maximal",
    posts: Annotated[int, typer.Option(help="New posts (maximal covering).")] = 4,
    minutes: Annotated[int, typer.Option(help="Threshold in minutes.")] = 10,
    travel: Annotated[Mode, typer.Option(help="walk or drive.")] = Mode.WALK,
    skip_unreachable: Annotated[bool, typer.Option(help="Set covering: leave out residents no site reaches.")] = False,
) -> None:
    """Choose sites for new posts exactly (HiGHS) among street nodes near residents."""
    from qorgau.coverage import siting
    from qorgau.coverage.config import CoverageSettings

    if mode not in ("maximal", "set"):
        raise fail("--mode is maximal or set")
    chosen_mode: Literal["maximal", "set"] = "maximal" if mode == "maximal" else "set"
    cli = CommandContext()
    try:
        with cli.db.reading() as session, _without_solver_banner():
            found = siting.place(session, settings=cli.settings.part(CoverageSettings), mode=chosen_mode,
                                 minutes=minutes, travel=travel, posts=posts if chosen_mode == "maximal" else None,
                                 candidates=None, skip_unreachable=skip_unreachable)
    except QorgauError as exc:
        raise fail(explain(exc)) from exc
    s = found.solution
    typer.echo(f"{len(found.chosen)} new posts among {found.candidates} candidates "
               f"({'optimal' if s.optimal else 'stopped'}, gap {s.gap:.4%}, {s.seconds:.2f} s)")
    typer.echo(f"  covered within {minutes} min ({travel}): {found.before.share:.1%} → {found.after.share:.1%} "
               f"({found.after.covered - found.before.covered:,.0f} more residents)")
    for lon, lat in found.chosen:
        typer.echo(f"  {lat:.6f}, {lon:.6f}")
