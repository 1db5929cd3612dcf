"""`qorgau video`: the command group of the video domain; each module listed in ``SUBCOMMAND_MODULES`` adds its
commands. The processes' own (`run`, and the `worker` it starts) join it from their composition root,
`qorgau.runtime.video`."""

from __future__ import annotations

import importlib

import typer

video_app = typer.Typer(help="Video: camera workers, recordings, storage, exports.", no_args_is_help=True)

# Modules with register(video_app) that add their `qorgau video ...` commands; one per line, each adds its own.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "qorgau.video.verify",
    "qorgau.video.storage_commands",
    "qorgau.video.analytics.seed",
    "qorgau.video.analytics.model_setup",
)
_registered: list[bool] = []


def register(app: typer.Typer) -> None:
    if not _registered:
        for name in SUBCOMMAND_MODULES:
            importlib.import_module(name).register(video_app)
        _registered.append(True)
    app.add_typer(video_app, name="video")
