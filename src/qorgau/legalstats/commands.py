"""`qorgau legalstats …`: import the official forms for a period, seed the committed 2023 figures, show them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qorgau.audit.commands import cli_actor
from qorgau.core.commands import CommandContext, explain, fail
from qorgau.core.errors import QorgauError

legalstats_app = typer.Typer(help="Official legal statistics forms (СНГ-1, 1-М) as reference figures.",
                             no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(legalstats_app, name="legalstats")


def _problems(exc: QorgauError) -> str:
    """The error and each problem in English, one a line (sheet and cell included)."""
    from qorgau.core.i18n import translate

    lines = [explain(exc)] + [translate(e.get("code", ""), "en", **e) for e in exc.errors]
    return "\n  ".join(lines)


def _files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".xlsx")
        else:
            found.append(path)
    return found


@legalstats_app.command("import")
def legalstats_import(
    paths: Annotated[list[Path], typer.Argument(help="XLSX files of СНГ-1, 1-М or the population table, or "
                                                     "folders holding them.", exists=True)],
    period: Annotated[str, typer.Option(help='The period the forms report: "2023" (a year) or "2023-06" '
                                             "(January to June); the sheets print none.")],
    region: Annotated[str | None, typer.Option(help="The region code of every file, when the file names do not "
                                                    "name it (e.g. west_kazakhstan).")] = None,
) -> None:
    """Import the forms (all files or none); a form already stored for the region and period is replaced."""
    from qorgau.legalstats import service

    files = _files(paths)
    uploads = [service.Upload(name=path.name, content=path.read_bytes()) for path in files]
    cli = CommandContext()
    try:
        with cli.db.unit_of_work() as session:
            done = service.import_forms(session, uploads=uploads, period=period, actor=cli_actor(), region=region)
    except QorgauError as exc:
        raise fail(_problems(exc)) from exc
    for item in done:
        typer.echo(f"{item.form} {item.region} {item.period}: {item.figures} figures"
                   + (" (replaced)" if item.replaced else "") + f" from {item.source_name}")


@legalstats_app.command("seed")
def legalstats_seed() -> None:
    """Store the committed 2023 figures (20 regions' СНГ-1, four 1-М, population); again changes nothing."""
    from qorgau.legalstats.seed import seed

    cli = CommandContext()
    with cli.db.unit_of_work() as session:
        stored = seed(session, actor=cli_actor())
    typer.echo(f"legal statistics 2023: {stored} forms stored" if stored else "legal statistics 2023: already present")


@legalstats_app.command("clearance")
def legalstats_clearance(
    period: Annotated[str, typer.Option(help='The period, e.g. "2023".')],
    form: Annotated[str, typer.Option(help="sng1 (all regions) or 1m.")] = "sng1",
) -> None:
    """Print clearance of every region and the national total under every reading."""
    from qorgau.legalstats import service
    from qorgau.legalstats.clearance import READINGS

    cli = CommandContext()
    try:
        with cli.db.unit_of_work() as session:
            table = service.clearance_table(session, form=form, period=period)
    except QorgauError as exc:
        raise fail(_problems(exc)) from exc
    typer.echo("region".ljust(20) + "".join(code.rjust(14) for code in READINGS))
    for row in table:
        typer.echo(row.region.ljust(20) + "".join(
            (f"{100 * value:.1f} %" if value is not None else "—").rjust(14) for value in row.values.values()))
