"""`qorgau units seed-aksai`: Aksai's police units from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from qorgau.core.commands import CommandContext

units_app = typer.Typer(help="Police units: the Aksai seed.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(units_app, name="units")


@units_app.command("seed-aksai")
def units_seed_aksai(
    simulated: Annotated[bool, typer.Option("--simulated", help="Mark every unit of the plan (new or seeded "
                                            "earlier) as driven by the simulator.")] = False,
) -> None:
    """Create Aksai's patrol cars, foot patrols, district inspectors and posts; running it again changes nothing."""
    from qorgau.units.seed import seed_aksai

    cli = CommandContext()
    with cli.db.unit_of_work() as session:
        created = seed_aksai(session, simulated=simulated)
    typer.echo(f"Aksai units: {created} created" + ("; all simulated" if simulated else ""))
