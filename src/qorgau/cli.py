"""One command line for every role of Qorgau: `qorgau --help`. It only gathers the commands: the processes' own
(`qorgau.runtime.commands`), then each domain's (`domains.COMMAND_MODULES`)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import typer

from qorgau import domains
from qorgau.core.commands import CommandSetup, install
from qorgau.core.errors import ConfigError
from qorgau.runtime import commands as runtime_commands

if TYPE_CHECKING:
    from qorgau.settings import Settings


def _load_settings() -> Settings:
    from qorgau.settings import load_settings

    return load_settings()


def _load_domains() -> None:
    domains.load_models()
    domains.load_events()


install(CommandSetup(load_settings=_load_settings, load_domains=_load_domains))
app = typer.Typer(help="Qorgau — Operations Control Center for city police.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
runtime_commands.register(app)
domains.register_commands(app)


def main() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    try:
        app()
    except ConfigError as exc:  # e.g. a malformed key in QORGAU_MASTER_KEY, found while loading the keys
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(2)


if __name__ == "__main__":
    main()
