"""`qorgau video`: the video processes (`run`, and the `worker` it starts) and the sub-commands of the video
domain's other modules, each registered from the module listed in ``SUBCOMMAND_MODULES``."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

video_app = typer.Typer(help="Video: camera workers, recordings, storage, exports.", no_args_is_help=True)

# Modules with register(video_app) that add their `qorgau video ...` commands; one per line, each adds its own.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "qorgau.video.verify",
    "qorgau.video.storage_commands",
)
_registered: list[bool] = []


def register(app: typer.Typer) -> None:
    if not _registered:
        for name in SUBCOMMAND_MODULES:
            importlib.import_module(name).register(video_app)
        _registered.append(True)
    app.add_typer(video_app, name="video")


@video_app.command("run")
def run(
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: setting video_workers, 0: one "
                                                "per core).")] = None,
) -> None:
    """Run the video workers under a supervisor that restarts a crashed one (Ctrl-C or SIGTERM stops all)."""
    from qorgau.runtime.commands import _service_settings
    from qorgau.runtime.video import run_supervisor

    run_supervisor(_service_settings(), workers=workers)


@video_app.command("worker", hidden=True)
def worker(
    index: Annotated[int, typer.Option(help="This worker's number, 0..count-1.")],
    count: Annotated[int, typer.Option(help="How many workers share the cameras.")],
) -> None:
    """One video worker process (started by `qorgau video run`)."""
    from qorgau.runtime.commands import _service_settings
    from qorgau.runtime.video import run_worker

    if not 0 <= index < count:
        raise typer.BadParameter("index must be in 0..count-1")
    run_worker(_service_settings(), index=index, count=count)
