"""The commands that start Qorgau's processes (`serve`, `ingest`, `demo`) and keep an installation (`migrate`,
`config`, `keys`, `events`), registered by `qorgau.cli` before each domain's own."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qorgau import __version__
from qorgau.audit.commands import cli_actor
from qorgau.core.commands import CommandContext, fail
from qorgau.runtime import video as video_runtime
from qorgau.runtime import voice as voice_runtime
from qorgau.runtime.config_commands import config_app, load_settings
from qorgau.video.commands import video_app
from qorgau.voice.commands import voice_app

if TYPE_CHECKING:
    from qorgau.settings import Settings

keys_app = typer.Typer(help="Manage the master key that encrypts secrets in the database.", no_args_is_help=True)
events_app = typer.Typer(help="The event catalogue.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    for command in (version, serve, ingest, migrate, demo):
        app.command()(command)
    app.add_typer(config_app, name="config")
    app.add_typer(keys_app, name="keys")
    app.add_typer(events_app, name="events")
    video_runtime.register(video_app)  # `qorgau video run | worker`; the group joins `qorgau` with the domains
    voice_runtime.register(voice_app)  # `qorgau voice run`, likewise


def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def _service_settings() -> Settings:
    """Settings of a long-running role (server, ingest): logging set up, data folder made, schema checked."""
    from qorgau.core.db import Database
    from qorgau.core.logs import setup_logging
    from qorgau.core.migrate import is_at_head

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_json)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.effective_database_url)
    with db.engine.connect() as conn:
        if not is_at_head(conn):
            raise fail("the database is not migrated: run `qorgau migrate` first")
    db.dispose()
    return settings


def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default: setting `host`).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind (default: setting `port`).")] = None,
) -> None:
    """Run the server: API, live event stream, web app and background workers."""
    import uvicorn

    from qorgau.runtime.server import create_app

    settings = _service_settings()
    if host:  # the address actually bound decides whether cookies must be Secure
        settings = settings.model_copy(update={"host": host})
    application = create_app(settings)
    uvicorn.run(application, host=settings.host, port=port or settings.port, log_config=None,
                # Forwarded headers only from the proxies named in the settings: anyone else could forge them.
                proxy_headers=bool(settings.trusted_proxies), forwarded_allow_ips=settings.trusted_proxies,
                ws_ping_interval=None,
                ssl_certfile=settings.tls_cert_file, ssl_keyfile=settings.tls_key_file,  # HTTPS when both are set
                timeout_graceful_shutdown=settings.shutdown_grace_s,
                # Compression would deflate the same live stream once per connected screen; on the control
                # room's network the bytes are cheaper than that CPU.
                ws_per_message_deflate=False)


def ingest(
    port: Annotated[int | None, typer.Option(help="HTTP port for /metrics and health (default: ingest_http_port).")]
    = None,
) -> None:
    """Run the device adapters (DC-09, MQTT, SIP) as a process of their own, beside `qorgau serve`."""
    import uvicorn

    from qorgau.runtime.ingest import create_ingest_app

    settings = _service_settings()
    http_port = settings.ingest_http_port if port is None else port
    # uvicorn's "auto" loop is uvloop when it is installed.
    uvicorn.run(create_ingest_app(settings), host=settings.host, port=http_port, log_config=None,
                proxy_headers=False, timeout_graceful_shutdown=settings.shutdown_grace_s)


def migrate() -> None:
    """Create or upgrade the database schema to the latest version."""
    from qorgau.core.migrate import upgrade

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    typer.echo("database is at the latest schema")


def demo(
    seed: Annotated[int, typer.Option(help="Same seed, same sequence of events.")] = 1,
    intensity: Annotated[float, typer.Option(help="Multiplies the realistic background rates.")] = 6.0,
    duty_officer: Annotated[float | None, typer.Option(help="Seconds after which a simulated duty officer takes "
                                                       "up alarms and incidents nobody took (0: never).")] = 120.0,
    scenario: Annotated[list[str] | None, typer.Option(help="Scenarios to play (default: demo-start).")] = None,
    duration: Annotated[float | None, typer.Option(help="Seconds to run; default: until Ctrl-C.")] = None,
    live: Annotated[bool, typer.Option(help="Show the live table of rates per protocol.")] = True,
) -> None:
    """The live model of Aksai: an MQTT broker, `qorgau serve` and the simulator together (what `./run start`
    runs). Expects a migrated database with the Aksai model, devices and units seeded with --simulated."""
    from qorgau.runtime.demo import run_demo, simulator_account

    cli = CommandContext()
    with cli.db.unit_of_work() as session:
        password = simulator_account(session, actor=cli_actor())
    cli.db.dispose()
    run_demo(load_settings(), password, seed=seed, intensity=intensity,
             duty_officer_s=duty_officer or None, scenarios=tuple(scenario or ("demo-start",)),
             duration_s=duration, live=live)


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Make a new master key and re-encrypt every stored secret under it (stop the server first)."""
    from qorgau.audit import service as audit
    from qorgau.audit.enums import Action
    from qorgau.core.crypto import key_paths, rotate_master_key
    from qorgau.core.db import Base

    cli = CommandContext()
    new_id, count = rotate_master_key(cli.settings, cli.db.sessions, [Base.metadata])
    with cli.db.unit_of_work() as session:
        audit.record(session, action=Action.KEYS_ROTATE, actor=cli_actor(),
                     details={"key_id": new_id, "reencrypted": count})
    typer.echo(f"master key rotated to {new_id}; {count} secret(s) re-encrypted")
    if cli.settings.master_key is not None:
        typer.echo(f"the key comes from QORGAU_MASTER_KEY: set it to the content of {key_paths(cli.settings).next} "
                   "and then delete that file")


@events_app.command("catalogue")
def events_catalogue(
    output: Annotated[Path, typer.Option(help="Where to write the Markdown.")] = Path("docs/events.md"),
    check: Annotated[bool, typer.Option(help="Exit 1 if the file is out of date instead of writing it.")] = False,
) -> None:
    """Generate docs/events.md from every declared event."""
    from qorgau import domains
    from qorgau.core.bus.catalogue import render

    domains.load_events()
    text = render()
    if check:
        if not output.exists() or output.read_text(encoding="utf-8") != text:
            raise fail(f"{output} is out of date: run `qorgau events catalogue`", 1)
        typer.echo(f"{output} is up to date")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}")
