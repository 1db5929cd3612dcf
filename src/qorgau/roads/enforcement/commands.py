"""`qorgau violations …`: verify an evidence package on any machine, without a database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qorgau.core.commands import fail

violations_app = typer.Typer(help="Speed and red-light violations: verify evidence packages.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(violations_app, name="violations")


@violations_app.command("verify")
def verify(
    folder: Annotated[Path, typer.Argument(help="The evidence package's folder (holding manifest.json).",
                                           exists=True, file_okay=False)],
    key_id: Annotated[str | None, typer.Option(help="Accept only this signing key id (the installation's).")] = None,
) -> None:
    """Check every file's SHA-256 against the signed manifest, no file missing or added, and the signature."""
    from qorgau.roads.enforcement import evidence

    problems = evidence.verify(folder, key_id)
    if problems:
        raise fail(f"{folder}: does not verify: " + ", ".join(problems))
    typer.echo(f"{folder}: verified")
