"""One command line for every role of Qorgau: `qorgau --help`."""

from __future__ import annotations

import getpass
import json
import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from qorgau import __version__
from qorgau.core.errors import ConfigError, QorgauError

if TYPE_CHECKING:
    from qorgau.audit.service import Actor
    from qorgau.core.settings import Settings

from qorgau.ingest.adapters.webhook.cli import app as webhook_app

app = typer.Typer(help="Qorgau — Operations Control Center for city police.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
user_app = typer.Typer(help="Manage accounts: add, change password, list, unlock.", no_args_is_help=True)
config_app = typer.Typer(help="Inspect the effective configuration.", no_args_is_help=True)
audit_app = typer.Typer(help="Check and anchor the tamper-evident audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage the master key that encrypts secrets in the database.", no_args_is_help=True)
events_app = typer.Typer(help="The event catalogue.", no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens for API clients and devices.", no_args_is_help=True)
devices_app = typer.Typer(help="The device registry: bulk import and export, the Smart Aqsai seed.",
                          no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(config_app, name="config")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(events_app, name="events")
app.add_typer(token_app, name="token")
city_app = typer.Typer(help="The city model: import an OSM extract, seed Aksai, export GeoJSON.", no_args_is_help=True)
app.add_typer(city_app, name="city")
app.add_typer(devices_app, name="devices")
app.add_typer(webhook_app, name="webhook")
units_app = typer.Typer(help="Police units: the Aksai seed.", no_args_is_help=True)
app.add_typer(units_app, name="units")


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def _settings() -> Settings:
    from qorgau.core.settings import load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise _fail(str(exc)) from exc


class _Cli:
    """Settings, database and keys for a one-shot command; its commits wake running servers."""

    def __init__(self) -> None:
        from qorgau import domains
        from qorgau.core.bus.wake import install_poker
        from qorgau.core.crypto import configure_keyring, load_keyring
        from qorgau.core.db import Database
        from qorgau.core.migrate import is_at_head

        self.settings = _settings()
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        domains.load_models()
        domains.load_events()
        self.db = Database(self.settings.effective_database_url)
        with self.db.engine.connect() as conn:
            if not is_at_head(conn):
                raise _fail("the database is not migrated: run `qorgau migrate` first")
        configure_keyring(load_keyring(self.settings))
        install_poker(self.settings.run_dir)

    def actor(self) -> Actor:
        from qorgau.audit.service import Actor

        return Actor(ref="system:cli", name=getpass.getuser(), source="cli")


def _read_password(confirm: bool = True) -> str:
    """From a terminal: ask twice. Otherwise: the first line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if confirm and getpass.getpass("Repeat password: ") != first:
            raise _fail("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def _service_settings() -> Settings:
    """Settings of a long-running role (server, ingest): logging set up, data folder made, schema checked."""
    from qorgau.core.db import Database
    from qorgau.core.logs import setup_logging
    from qorgau.core.migrate import is_at_head

    settings = _settings()
    setup_logging(settings.log_level, settings.log_json)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.effective_database_url)
    with db.engine.connect() as conn:
        if not is_at_head(conn):
            raise _fail("the database is not migrated: run `qorgau migrate` first")
    db.dispose()
    return settings


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default: setting `host`).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind (default: setting `port`).")] = None,
) -> None:
    """Run the server: API, live event stream, web app and background workers."""
    import uvicorn

    from qorgau.api.app import create_app

    settings = _service_settings()
    application = create_app(settings)
    uvicorn.run(application, host=host or settings.host, port=port or settings.port, log_config=None,
                proxy_headers=False, ws_ping_interval=None,
                timeout_graceful_shutdown=settings.shutdown_grace_s,
                # Compression would deflate the same live stream once per connected screen; on the control
                # room's network the bytes are cheaper than that CPU.
                ws_per_message_deflate=False)


@app.command()
def ingest(
    port: Annotated[int | None, typer.Option(help="HTTP port for /metrics and health (default: ingest_http_port).")]
    = None,
) -> None:
    """Run the device adapters (DC-09, MQTT, SIP) as a process of their own, beside `qorgau serve`."""
    import uvicorn

    from qorgau.ingest.app import create_ingest_app

    settings = _service_settings()
    http_port = settings.ingest_http_port if port is None else port
    # uvicorn's "auto" loop is uvloop when it is installed.
    uvicorn.run(create_ingest_app(settings), host=settings.host, port=http_port, log_config=None,
                proxy_headers=False, timeout_graceful_shutdown=settings.shutdown_grace_s)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema to the latest version."""
    from qorgau.core.migrate import upgrade

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    typer.echo("database is at the latest schema")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name (lower case letters, digits, . _ -).")],
    role: Annotated[str, typer.Option(help="operator, dispatcher, supervisor, inspector, analyst, admin, auditor")],
    display_name: Annotated[str | None, typer.Option(help="Full name shown in the UI.")] = None,
    locale: Annotated[str | None, typer.Option(help="kk, ru or en.")] = None,
) -> None:
    """Create an account. The password is asked for, or read from standard input in scripts."""
    from pydantic import ValidationError

    from qorgau.auth import service
    from qorgau.auth.schemas import UserCreate
    from qorgau.core.bus import Context

    cli = _Cli()
    password = _read_password()
    try:
        user_in = UserCreate(username=name, display_name=display_name or name, role=role, password=password,
                             locale=locale)
    except ValidationError as exc:
        raise _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from exc
    try:
        with cli.db.unit_of_work() as session:
            user = service.create(session, user_in=user_in, actor=cli.actor(), ctx=Context.system("cli"))
    except QorgauError as exc:
        raise _fail(_explain(exc)) from exc
    typer.echo(f"created user {user.username} (id {user.id}, role {user.role})")


@user_app.command("bootstrap")
def user_bootstrap(
    name: Annotated[str, typer.Option(help="Login name of the first administrator.")] = "admin",
) -> None:
    """Create the first administrator if there is no user yet. Password from standard input, or a
    one-time random password printed once when standard input is empty."""
    from sqlalchemy import func, select

    from qorgau.auth import service
    from qorgau.auth.models import User
    from qorgau.auth.schemas import UserCreate
    from qorgau.core.bus import Context

    cli = _Cli()
    with cli.db.unit_of_work() as session:
        if (session.scalar(select(func.count()).select_from(User)) or 0) > 0:
            typer.echo("users exist already; nothing to do")
            return
        given = "" if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
        password = given or secrets.token_urlsafe(12)
        try:
            service.create(session, user_in=UserCreate(username=name, display_name="Administrator",
                                                       role="admin", password=password),
                           actor=cli.actor(), ctx=Context.system("cli"))
        except QorgauError as exc:
            raise _fail(_explain(exc)) from exc
    if given:
        typer.echo(f"created administrator {name} with the given password")
    else:
        typer.secho(f"created administrator {name}; one-time password: {password}", fg=typer.colors.YELLOW)
        typer.echo("change it after the first sign-in (`qorgau user passwd` or the API).")


def _user_id(cli: _Cli, name: str) -> int:
    from qorgau.auth import service

    with cli.db.reading() as session:
        user = service.get_by_username(session, name)
        if user is None:
            raise _fail(f"no user named {name}")
        return user.id


@user_app.command("passwd")
def user_passwd(name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Set a user's password (asked for, or read from standard input). Their sessions end."""
    from qorgau.auth import service
    from qorgau.core.bus import Context

    cli = _Cli()
    user_id = _user_id(cli, name)
    password = _read_password()
    try:
        with cli.db.unit_of_work() as session:
            service.set_password(session, user_id=user_id, password=password, actor=cli.actor(),
                                 ctx=Context.system("cli"))
    except QorgauError as exc:
        raise _fail(_explain(exc)) from exc
    typer.echo(f"password of {name} changed")


@user_app.command("list")
def user_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List accounts with role and state."""
    from qorgau.auth import service

    cli = _Cli()
    with cli.db.reading() as session:
        users = service.page(session, after_id=None, limit=100_000)
        rows = [{"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
                 "active": u.is_active} for u in users]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        state = "active" if row["active"] else "disabled"
        typer.echo(f"{row['id']:>5}  {row['username']:<24} {row['role']:<11} {state:<8} {row['display_name']}")


@user_app.command("unlock")
def user_unlock(name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Clear a user's sign-in delays after failed attempts."""
    from qorgau.auth import service
    from qorgau.core.bus import Context

    cli = _Cli()
    user_id = _user_id(cli, name)
    with cli.db.unit_of_work() as session:
        cleared = service.unlock(session, user_id=user_id, actor=cli.actor(), ctx=Context.system("cli"))
    typer.echo(f"{name}: cleared {cleared} throttle record(s)")


@config_app.command("show")
def config_show(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Print the effective settings (environment over the TOML file over defaults), secrets redacted."""
    from qorgau.core.settings import Settings, redacted

    values = redacted(_settings())
    if as_json:
        typer.echo(json.dumps(values, ensure_ascii=False, indent=1, default=str))
        return
    for name, value in values.items():
        field = Settings.model_fields[name]
        typer.echo(f"{name} = {value!r}")
        typer.secho(f"    QORGAU_{name.upper()}: {field.description}", dim=True)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check every link of the audit chain and every signed checkpoint; exit 1 on the first problem."""
    from qorgau.audit import service
    from qorgau.audit.signing import anchor_path, load_signer

    cli = _Cli()
    with cli.db.reading() as session:
        report = service.verify(session, load_signer(cli.settings), anchor_path(cli.settings))
    if report.ok:
        typer.echo(f"audit log intact: {report.records} records, {report.checkpoints} signed checkpoints")
        return
    if report.first_broken_seq is not None:
        typer.secho(f"first broken link: record {report.first_broken_seq}", fg=typer.colors.RED, err=True)
    if report.missing_after_seq is not None:
        typer.secho(f"missing tail: records after {report.missing_after_seq} were deleted", fg=typer.colors.RED,
                    err=True)
    for problem in report.problems:
        typer.echo(f"  - {problem}", err=True)
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the current head of the chain now (the server does this periodically)."""
    from qorgau.audit import service
    from qorgau.audit.signing import anchor_path, load_signer

    cli = _Cli()
    with cli.db.unit_of_work() as session:
        made = service.checkpoint(session, load_signer(cli.settings), anchor_path(cli.settings))
    typer.echo(f"checkpoint at record {made.seq}" if made else "head unchanged since the last checkpoint")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Make a new master key and re-encrypt every stored secret under it (stop the server first)."""
    from qorgau.audit import service as audit
    from qorgau.audit.enums import Action
    from qorgau.core.crypto import key_paths, rotate_master_key
    from qorgau.core.db import Base

    cli = _Cli()
    new_id, count = rotate_master_key(cli.settings, cli.db.sessions, [Base.metadata])
    with cli.db.unit_of_work() as session:
        audit.record(session, action=Action.KEYS_ROTATE, actor=cli.actor(),
                     details={"key_id": new_id, "reencrypted": count})
    typer.echo(f"master key rotated to {new_id}; {count} secret(s) re-encrypted")
    if cli.settings.master_key is not None:
        typer.echo(f"the key comes from QORGAU_MASTER_KEY: set it to the content of {key_paths(cli.settings).next} "
                   "and then delete that file")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Owner's login name.")],
    label: Annotated[str, typer.Option("--name", help="What the token is for.")],
    scope: Annotated[list[str], typer.Option(help="Permission to grant; repeat for more.")],
    days: Annotated[int | None, typer.Option(help="Expire after this many days.")] = None,
) -> None:
    """Create a bearer token for an API client or device; the secret is printed once."""
    from pydantic import ValidationError

    from qorgau.auth import service
    from qorgau.auth.schemas import TokenCreate

    cli = _Cli()
    user_id = _user_id(cli, name)
    try:
        token_in = TokenCreate(name=label, scopes=scope, expires_in_days=days)
        with cli.db.unit_of_work() as session:
            secret, _ = service.create_token(session, user_id=user_id, token_in=token_in, actor=cli.actor())
    except ValidationError as exc:
        raise _fail(str(exc)) from exc
    except QorgauError as exc:
        raise _fail(_explain(exc)) from exc
    typer.echo(secret)


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
            raise _fail(f"{output} is out of date: run `qorgau events catalogue`", 1)
        typer.echo(f"{output} is up to date")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}")


def _file_format(path: Path, given: str | None) -> Literal["csv", "geojson"]:
    fmt = given or ("csv" if path.suffix.lower() == ".csv" else "geojson")
    if fmt == "csv":
        return "csv"
    if fmt == "geojson":
        return "geojson"
    raise _fail(f"unknown format {fmt!r}: use csv or geojson")


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
    cli = _Cli()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("checking", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, description="writing", completed=done, total=total)

        try:
            with cli.db.unit_of_work() as session:
                result = import_devices(session, file.read_bytes(), fmt, actor=cli.actor(),
                                        ctx=Context.system("cli"), progress=progress)
        except ImportRejected as exc:
            bar.stop()
            for p in exc.problems:
                message = translate(f"devices.row.{p.reason}", "en", field=p.field or "-", code=p.code or "-",
                                    **p.params)
                typer.echo(f"{file}: {exc.locator} {p.locator}: {p.code or '-'}: {message}", err=True)
            raise _fail(f"nothing imported: {len(exc.problems)} problem(s)", 1) from exc
        except QorgauError as exc:
            raise _fail(_explain(exc)) from exc
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
    cli = _Cli()
    with cli.db.unit_of_work() as session:
        text = export_devices(session, fmt, actor=cli.actor())
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

    cli = _Cli()
    try:
        with cli.db.unit_of_work() as session:
            planner = planner_for(session)
            if planner is None:
                typer.echo("no city model is active: placing the plan on a fallback grid around Aksai's centre "
                           "(run `qorgau city seed-aksai` first to place it on the city model)", err=True)
            result = seed(session, planner or FallbackPlanner(), actor=cli.actor(), ctx=Context.system("cli"),
                          simulated=simulated)
    except QorgauError as exc:
        raise _fail(_explain(exc)) from exc
    counts = result.devices
    typer.echo(f"Smart Aqsai seed: {result.sites_changed} site(s) written; devices {counts.created} created, "
               f"{counts.updated} updated, {counts.unchanged} unchanged" + ("; all simulated" if simulated else ""))


@units_app.command("seed-aksai")
def units_seed_aksai(
    simulated: Annotated[bool, typer.Option("--simulated", help="Mark every unit of the plan (new or seeded "
                                            "earlier) as driven by the simulator.")] = False,
) -> None:
    """Create Aksai's patrol cars, foot patrols, district inspectors and posts; running it again changes nothing."""
    from qorgau.units.seed import seed_aksai

    cli = _Cli()
    with cli.db.unit_of_work() as session:
        created = seed_aksai(session, simulated=simulated)
    typer.echo(f"Aksai units: {created} created" + ("; all simulated" if simulated else ""))


@city_app.command("import")
def city_import(
    file: Annotated[Path, typer.Argument(help="OpenStreetMap extract: .osm.pbf, .osm, .osm.bz2.", exists=True,
                                         dir_okay=False)],
    name: Annotated[str, typer.Option(help="Name of the new model.")],
    replace: Annotated[bool, typer.Option(help="Replace a model of the same name.")] = False,
) -> None:
    """Build a city model (streets, walk and drive graphs, places) from an OSM extract; it becomes active."""
    from qorgau.city import service

    cli = _Cli()
    try:
        with cli.db.unit_of_work() as session:
            model = service.import_osm(session, path=file, name=name, replace=replace, actor=cli.actor())
            summary = (f"imported {file.name} as city model {model.name} (id {model.id}, active): "
                       f"{model.node_count} nodes, {model.edge_count} edges, {model.place_count} places")
    except QorgauError as exc:
        raise _fail(_explain(exc)) from exc
    typer.echo(summary)


@city_app.command("seed-aksai")
def city_seed_aksai() -> None:
    """Store the generated model of Aksai and Burlinsky district; running it again changes nothing."""
    from qorgau.city import service

    cli = _Cli()
    with cli.db.unit_of_work() as session:
        model, created = service.seed_aksai(session, actor=cli.actor())
        state = "active" if model.active else "not active: another model is"
        summary = (f"{'created' if created else 'already present:'} city model {model.name} (generated; {state}): "
                   f"{model.node_count} nodes, {model.edge_count} edges, {model.place_count} places, "
                   f"{model.cell_count} population cells")
    typer.echo(summary)


@city_app.command("list")
def city_list() -> None:
    """List the city models; the active one is marked with *."""
    from qorgau.city import service

    cli = _Cli()
    with cli.db.reading() as session:
        for model in service.models_page(session, after_id=None, limit=10_000):
            mark = "*" if model.active else " "
            typer.echo(f"{mark} {model.id:>4}  {model.name:<20} {model.source:<28} {model.node_count:>8} nodes "
                       f"{model.edge_count:>8} edges{'  (generated)' if model.generated else ''}")


@city_app.command("activate")
def city_activate(name: Annotated[str, typer.Argument(help="Model name.")]) -> None:
    """Make a model the one used by default."""
    from qorgau.city import service

    cli = _Cli()
    with cli.db.unit_of_work() as session:
        model = service.by_name(session, name)
        if model is None:
            raise _fail(f"no city model named {name}")
        service.switch_active(session, model_id=model.id, actor=cli.actor())
    typer.echo(f"city model {name} is active")


@city_app.command("export")
def city_export(
    name: Annotated[str | None, typer.Option(help="Model name (default: the active model).")] = None,
    layer: Annotated[list[str] | None, typer.Option(
        help="boundary, settlements, microdistricts, streets, blocks or population; repeat for more (default: all)."
    )] = None,
    output: Annotated[Path | None, typer.Option(help="File to write (default: standard output).")] = None,
) -> None:
    """Write layers of a city model as one GeoJSON FeatureCollection."""
    from qorgau.city import mapdata, service
    from qorgau.city.enums import Layer

    chosen = layer or [*map(str, Layer), "population"]
    unknown = [n for n in chosen if n not in {*map(str, Layer), "population"}]
    if unknown:
        raise _fail(f"unknown layer(s): {', '.join(unknown)}")
    cli = _Cli()
    with cli.db.reading() as session:
        model = service.by_name(session, name) if name else None
        if name and model is None:
            raise _fail(f"no city model named {name}")
        try:
            model = model or service.active_model(session)
        except QorgauError as exc:
            raise _fail(_explain(exc)) from exc
        body = mapdata.map_features(session, model=model, layers=[Layer(n) for n in chosen if n != "population"],
                                    bbox=None)
        if "population" in chosen:
            body["features"].extend(mapdata.population_features(session, model=model))
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {len(body['features'])} features of {model.name} to {output}", err=True)


@app.command()
def simulate(
    url: Annotated[str, typer.Option(envvar="QORGAU_SIM_URL", help="The Qorgau server to drive.")]
    = "http://127.0.0.1:8000",
    username: Annotated[str | None, typer.Option(envvar="QORGAU_SIM_USERNAME", help="Account of the simulator "
                                                 "(role simulator); its password in QORGAU_SIM_PASSWORD.")] = None,
    token: Annotated[str | None, typer.Option(envvar="QORGAU_SIM_TOKEN", help="Or a bearer token of it.")] = None,
    dc09: Annotated[str, typer.Option(help="host:port of the DC-09 receiver.")] = "127.0.0.1:12300",
    sip: Annotated[str, typer.Option(help="host:port of the SIP listener.")] = "127.0.0.1:5060",
    sip_transport: Annotated[str, typer.Option(help="udp or tcp.")] = "udp",
    mqtt_url: Annotated[str | None, typer.Option(envvar="QORGAU_MQTT_URL", help="Broker the devices publish to; "
                                                 "empty: turnstiles and GPS are left out.")] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same sequence of events.")] = 1,
    intensity: Annotated[float, typer.Option(help="Multiplies every background rate (1 = a realistic day).")] = 1.0,
    scale: Annotated[int, typer.Option(min=1, help="Load mode: N× panels (registered as SIM-PNL-…) and rates.")]
    = 1,
    duration: Annotated[float | None, typer.Option(help="Seconds to run; default: until Ctrl-C.")] = None,
    scenario: Annotated[list[str] | None, typer.Option(help="A shipped scenario's name or a YAML file; repeat.")]
    = None,
    background: Annotated[bool, typer.Option(help="Play the daily background besides the scenarios.")] = True,
    units: Annotated[bool, typer.Option(help="Move the simulated units and follow their dispatches.")] = True,
    duty_officer: Annotated[float | None, typer.Option(help="Seconds after which a simulated duty officer "
                                                       "acknowledges and dispatches what nobody took up.")] = None,
    speedup: Annotated[float, typer.Option(help="Units travel this many times faster (accelerated drills).")]
    = 1.0,
    start_at: Annotated[str | None, typer.Option(help="Play the plan from this ISO time instead of now, e.g. "
                                                 "2026-12-01T08:00+05:00 for a school morning.")] = None,
    sent_log: Annotated[Path | None, typer.Option(help="Append each planned item sent, as JSON lines.")] = None,
    live: Annotated[bool, typer.Option(help="Show the live table of rates per protocol.")] = True,
) -> None:
    """Drive a running Qorgau as Aksai's devices, patrols and callers, over DC-09, MQTT, SIP and the API."""
    from qorgau.simulator.command import parse_start, print_summary, run_simulation
    from qorgau.simulator.runner import SimConfig

    dc09_host, _, dc09_port = dc09.rpartition(":")
    sip_host, _, sip_port = sip.rpartition(":")
    config = SimConfig(
        url=url, username=username, password=os.environ.get("QORGAU_SIM_PASSWORD"), token=token,
        dc09_host=dc09_host or "127.0.0.1", dc09_port=int(dc09_port), sip_host=sip_host or "127.0.0.1",
        sip_port=int(sip_port), sip_transport=sip_transport, mqtt_url=mqtt_url or None, seed=seed,
        intensity=intensity, scale=scale, duration_s=duration, scenarios=tuple(scenario or ()),
        background=background, units=units, duty_officer=duty_officer, speedup=speedup, sent_log=sent_log)
    print_summary(run_simulation(config, live=live, start_at=parse_start(start_at)))


@app.command()
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
    from qorgau.simulator.demo import run_demo, simulator_account

    cli = _Cli()
    with cli.db.unit_of_work() as session:
        password = simulator_account(session, actor=cli.actor())
    cli.db.dispose()
    run_demo(cli.settings, password, seed=seed, intensity=intensity,
             duty_officer_s=duty_officer or None, scenarios=tuple(scenario or ("demo-start",)),
             duration_s=duration, live=live)


def _explain(exc: QorgauError) -> str:
    from qorgau.core.i18n import translate

    return translate(exc.code, "en", **exc.params)


def main() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    try:
        app()
    except ConfigError as exc:  # e.g. a malformed key in QORGAU_MASTER_KEY, found while loading the keys
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(2)


if __name__ == "__main__":
    main()
