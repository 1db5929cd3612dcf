"""`qorgau audit verify | checkpoint`: check and anchor the hash-chained audit log from the command line."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qorgau.core.commands import CommandContext

if TYPE_CHECKING:
    from qorgau.audit.service import Actor

audit_app = typer.Typer(help="Check and anchor the tamper-evident audit log.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


def cli_actor() -> Actor:
    """Who a command acts as: the system's command line, run by this operating-system user."""
    from qorgau.audit.service import Actor

    return Actor(ref="system:cli", name=getpass.getuser(), source="cli")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check every link of the audit chain and every signed checkpoint; exit 1 on the first problem."""
    from qorgau.audit import service
    from qorgau.audit.signing import anchor_path, load_signer

    cli = CommandContext()
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


@audit_app.command("verify-export")
def audit_verify_export(
    path: Annotated[Path, typer.Argument(help="A file from the audit desk's export (CSV or JSON lines).",
                                         exists=True, dir_okay=False)],
) -> None:
    """Check an exported range on any machine: every record's hash, and the link between consecutive records."""
    from qorgau.audit.export import check_export, read_export

    check = check_export(read_export(path.read_text(encoding="utf-8")))
    if check.ok:
        typer.echo(f"export intact: {check.records} records, {check.links} links between consecutive records")
        return
    for problem in check.problems:
        typer.echo(f"  - {problem}", err=True)
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the current head of the chain now (the server does this periodically)."""
    from qorgau.audit import service
    from qorgau.audit.signing import anchor_path, load_signer

    cli = CommandContext()
    with cli.db.unit_of_work() as session:
        made = service.checkpoint(session, load_signer(cli.settings), anchor_path(cli.settings))
    typer.echo(f"checkpoint at record {made.seq}" if made else "head unchanged since the last checkpoint")
