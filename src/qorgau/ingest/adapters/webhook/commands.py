"""`qorgau webhook add | list | rotate | disable | enable`: manage integrations; secrets are printed once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from qorgau.audit.commands import cli_actor
from qorgau.core.commands import CommandContext, explain, fail
from qorgau.core.errors import QorgauError

webhook_app = typer.Typer(help="Signed webhook integrations of vendors' systems (docs/webhooks.md).",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(webhook_app, name="webhook")


@contextmanager
def _open() -> Iterator[CommandContext]:
    """The command's settings, database and keys; the database's connections are closed afterwards."""
    cli = CommandContext()
    try:
        yield cli
    finally:
        cli.db.dispose()


def _show_secret(name: str, secret: str) -> None:
    typer.echo(f"secret of {name} (shown once; store it with the sender now):")
    typer.echo(secret)


def _parse_map(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        vendor, sep, code = pair.partition("=")
        if not sep or not vendor or not code:
            raise fail(f"--map takes VENDOR_ID=DEVICE_CODE, not {pair!r}")
        mapping[vendor] = code
    return mapping


@webhook_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Lower-case name; the URL is /api/ingest/webhooks/<name>.")],
    event_type: Annotated[list[str] | None, typer.Option(
        "--type", help="Accepted event type; repeat for more (default: the documented vocabulary).")] = None,
    device_map: Annotated[list[str] | None, typer.Option(
        "--map", help="VENDOR_ID=DEVICE_CODE: a vendor's device id for a registry device; repeat for more.")] = None,
    description: Annotated[str | None, typer.Option(help="What pushes through it.")] = None,
) -> None:
    """Create an integration and print its secret once."""
    from pydantic import ValidationError

    from qorgau.ingest.adapters.webhook import service
    from qorgau.ingest.adapters.webhook.schemas import IntegrationCreate

    mapping = _parse_map(device_map or [])
    try:
        integration_in = IntegrationCreate(name=name, description=description, event_types=event_type or None,
                                           device_map=mapping)
    except ValidationError as exc:
        raise fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from exc
    try:
        with _open() as cli, cli.db.unit_of_work() as session:
            _, secret = service.create(session, integration_in=integration_in, actor=cli_actor())
    except QorgauError as exc:
        raise fail(explain(exc)) from exc
    typer.echo(f"created webhook integration {name}: POST /api/ingest/webhooks/{name}")
    _show_secret(name, secret)


@webhook_app.command("list")
def list_integrations() -> None:
    """Every integration: state, accepted types, mapped devices, last use (never the secrets)."""
    from qorgau.ingest.adapters.webhook import service

    with _open() as cli, cli.db.reading() as session:
        rows = [service.to_read(row) for row in service.page(session, after=None, limit=100_000)]
    if not rows:
        typer.echo("no webhook integrations")
    for row in rows:
        state = "enabled" if row.enabled else "disabled"
        types = ",".join(row.event_types) if row.event_types is not None else "(default vocabulary)"
        used = row.last_used_at.isoformat(timespec="seconds") if row.last_used_at else "never"
        typer.echo(f"{row.name:<24} {state:<8} types={types} devices={len(row.device_map)} last_used={used}")


@webhook_app.command("rotate")
def rotate(
    name: Annotated[str, typer.Argument(help="Integration name.")],
    grace_hours: Annotated[float, typer.Option(
        min=0, max=168, help="How long the previous secret stays valid; 0 if it leaked.")] = 24,
) -> None:
    """Replace the secret and print the new one once."""
    from qorgau.ingest.adapters.webhook import service

    try:
        with _open() as cli, cli.db.unit_of_work() as session:
            _, secret = service.rotate(session, name=name, grace_s=round(grace_hours * 3600), actor=cli_actor())
    except QorgauError as exc:
        raise fail(explain(exc)) from exc
    until = f"for {grace_hours:g} h more" if grace_hours > 0 else "no longer"
    typer.echo(f"rotated the secret of {name}; the previous secret is accepted {until}")
    _show_secret(name, secret)


def _set_enabled(name: str, enabled: bool) -> None:
    from qorgau.ingest.adapters.webhook import service
    from qorgau.ingest.adapters.webhook.schemas import IntegrationPatch

    try:
        with _open() as cli, cli.db.unit_of_work() as session:
            service.update(session, name=name, patch=IntegrationPatch(enabled=enabled), actor=cli_actor())
    except QorgauError as exc:
        raise fail(explain(exc)) from exc
    typer.echo(f"webhook integration {name} is {'enabled' if enabled else 'disabled'}")


@webhook_app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="Integration name.")]) -> None:
    """Refuse everything sent to the integration (answered 404, like an unknown one)."""
    _set_enabled(name, False)


@webhook_app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="Integration name.")]) -> None:
    """Accept the integration's requests again."""
    _set_enabled(name, True)
