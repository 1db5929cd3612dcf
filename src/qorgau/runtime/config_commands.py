"""`qorgau config show | docs`: the effective settings, and the README's reference generated from them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qorgau.core.commands import fail, regenerate
from qorgau.core.errors import ConfigError

if TYPE_CHECKING:
    from qorgau.settings import Settings

config_app = typer.Typer(help="Inspect the effective configuration.", no_args_is_help=True)


def load_settings() -> Settings:
    """The program's settings; a configuration error ends the command with its message."""
    from qorgau.settings import load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise fail(str(exc)) from exc


@config_app.command("show")
def config_show(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Print the effective settings (environment over the TOML file over defaults), secrets redacted."""
    from qorgau.core.settings import redacted
    from qorgau.settings import Settings

    values = redacted(load_settings())
    if as_json:
        typer.echo(json.dumps(values, ensure_ascii=False, indent=1, default=str))
        return
    for name, value in values.items():
        field = Settings.model_fields[name]
        typer.echo(f"{name} = {value!r}")
        typer.secho(f"    QORGAU_{name.upper()}: {field.description}", dim=True)


@config_app.command("docs")
def config_docs(
    readme: Annotated[Path, typer.Option(help="The Markdown file holding the settings reference.")] = Path("README.md"),
    check: Annotated[bool, typer.Option(help="Exit 1 if the reference is out of date instead of writing it.")] = False,
) -> None:
    """Regenerate the README's settings reference from the settings' titles and descriptions."""
    from qorgau.settings import with_reference

    regenerate(readme, with_reference, what="settings reference", command="qorgau config docs", check=check)
