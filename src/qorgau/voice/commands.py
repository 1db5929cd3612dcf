"""`qorgau voice`: the voice calls' command group; the voice process's `run` joins it from `qorgau.runtime.voice`."""

from __future__ import annotations

import typer

voice_app = typer.Typer(help="Voice: the process answering SOS terminals and 102 calls.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(voice_app, name="voice")
