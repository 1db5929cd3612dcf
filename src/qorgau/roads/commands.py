"""`qorgau roads …`: import a watch-list CSV, prune old plate reads, seed the simulated demo's roads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qorgau.audit.commands import cli_actor
from qorgau.core.commands import CommandContext, explain, fail
from qorgau.core.errors import QorgauError

roads_app = typer.Typer(help="Plate reads and watch lists: import lists, prune old reads.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(roads_app, name="roads")


def _problems(exc: QorgauError) -> str:
    """The error and each of its problems in English, one a line (the codes are translation keys)."""
    from qorgau.core.i18n import translate

    lines = [explain(exc)] + [f"line {e.get('line') or '-'}: " + translate(e.get("code", ""), "en", **e)
                              for e in exc.errors]
    return "\n  ".join(lines)


@roads_app.command("import-watchlists")
def import_watchlists(
    file: Annotated[Path, typer.Argument(help="CSV: list,kind,pattern,reason[,valid_until]", exists=True,
                                         dir_okay=False)],
    reason: Annotated[str, typer.Option(help="Why the lists are imported (audited).")],
) -> None:
    """Add the file's entries (lists created as named), or nothing when any line has a problem."""
    from qorgau.roads import watchlists

    cli = CommandContext()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise fail(f"{file}: {exc}") from exc
    try:
        with cli.db.unit_of_work() as session:
            result = watchlists.import_csv(session, text=text, reason=reason, actor=cli_actor())
    except QorgauError as exc:
        raise fail(_problems(exc)) from exc
    typer.echo(f"watch lists: {result.added} entries added " + ", ".join(f"{k}: {v}" for k, v in result.lists.items()))


@roads_app.command("prune")
def prune() -> None:
    """Delete plate reads older than QORGAU_ROADS_READS_KEEP_DAYS now (hits' reads are kept)."""
    from qorgau.roads.config import RoadsSettings
    from qorgau.roads.workers import prune_database

    cli = CommandContext()
    removed = prune_database(cli.db, cli.settings.part(RoadsSettings))
    typer.echo(f"plate reads pruned: {removed}")


@roads_app.command("seed-demo")
def seed_demo() -> None:
    """The simulated demo's roads (once): a wanted-vehicle list, speed cameras' calibrations, stop lines."""
    from qorgau.roads.seed import seed_demo as seed

    cli = CommandContext()
    with cli.db.unit_of_work() as session:
        seeded = seed(session, actor=cli_actor())
    typer.echo(f"roads demo: watch list {'added' if seeded.watchlist else 'present'}, wanted plate "
               f"{'added' if seeded.entry else 'present'}, calibrated {len(seeded.calibrated)} speed cameras, "
               f"stop lines on {len(seeded.stop_lines)} intersection cameras")
