"""`qorgau devices import | export | seed-aksai`: the device registry from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from qorgau.audit.commands import cli_actor
from qorgau.core.commands import CommandContext, explain, fail
from qorgau.core.errors import QorgauError

devices_app = typer.Typer(help="The device registry: bulk import and export, the Smart Aqsai seed.",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(devices_app, name="devices")


def _file_format(path: Path, given: str | None) -> Literal["csv", "geojson"]:
    fmt = given or ("csv" if path.suffix.lower() == ".csv" else "geojson")
    if fmt == "csv":
        return "csv"
    if fmt == "geojson":
        return "geojson"
    raise fail(f"unknown format {fmt!r}: use csv or geojson")


@devices_app.command("import")
def devices_import(
    file: Annotated[Path, typer.Argument(help="CSV or GeoJSON file keyed by device code.", exists=True,
                                         dir_okay=False)],
    format: Annotated[str | None, typer.Option(help="csv or geojson (default: by file extension).")] = None,
) -> None:
    """Create or update devices from a file: all of it, or nothing (every bad row is listed)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from qorgau.core.bus import Context
    from qorgau.core.i18n import translate
    from qorgau.devices.importexport import ImportRejected, import_devices

    fmt = _file_format(file, format)
    cli = CommandContext()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("checking", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, description="writing", completed=done, total=total)

        try:
            with cli.db.unit_of_work() as session:
                result = import_devices(session, file.read_bytes(), fmt, actor=cli_actor(),
                                        ctx=Context.system("cli"), progress=progress)
        except ImportRejected as exc:
            bar.stop()
            for p in exc.problems:
                message = translate(f"devices.row.{p.reason}", "en", field=p.field or "-", code=p.code or "-",
                                    **p.params)
                typer.echo(f"{file}: {exc.locator} {p.locator}: {p.code or '-'}: {message}", err=True)
            raise fail(f"nothing imported: {len(exc.problems)} problem(s)", 1) from exc
        except QorgauError as exc:
            raise fail(explain(exc)) from exc
    typer.echo(f"imported {file}: {result.created} created, {result.updated} updated, "
               f"{result.unchanged} unchanged")


@devices_app.command("export")
def devices_export(
    file: Annotated[Path, typer.Argument(help="Where to write; '-' for standard output.")],
    format: Annotated[str | None, typer.Option(help="csv or geojson (default: by file extension).")] = None,
) -> None:
    """Write the whole registry as CSV or GeoJSON (credentials are never exported)."""
    from qorgau.devices.importexport import export_devices

    fmt = _file_format(file, format)
    cli = CommandContext()
    with cli.db.unit_of_work() as session:
        text = export_devices(session, fmt, actor=cli_actor())
    if str(file) == "-":
        sys.stdout.write(text)
        return
    file.write_text(text, encoding="utf-8")
    typer.echo(f"exported the registry to {file}", err=True)


@devices_app.command("seed-aksai")
def devices_seed_aksai(
    simulated: Annotated[bool, typer.Option("--simulated", help="Mark every device of the plan (new or seeded "
                                            "earlier) as driven by the simulator.")] = False,
) -> None:
    """Create the Smart Aqsai plan's sites and devices (469 cameras…); running it again changes nothing."""
    from qorgau.core.bus import Context
    from qorgau.devices.city_planner import planner_for
    from qorgau.devices.planner import FallbackPlanner
    from qorgau.devices.seed import seed

    cli = CommandContext()
    try:
        with cli.db.unit_of_work() as session:
            planner = planner_for(session)
            if planner is None:
                typer.echo("no city model is active: placing the plan on a fallback grid around Aksai's centre "
                           "(run `qorgau city seed-aksai` first to place it on the city model)", err=True)
            result = seed(session, planner or FallbackPlanner(), actor=cli_actor(), ctx=Context.system("cli"),
                          simulated=simulated)
    except QorgauError as exc:
        raise fail(explain(exc)) from exc
    counts = result.devices
    typer.echo(f"Smart Aqsai seed: {result.sites_changed} site(s) written; devices {counts.created} created, "
               f"{counts.updated} updated, {counts.unchanged} unchanged" + ("; all simulated" if simulated else ""))
