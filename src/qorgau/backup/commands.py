"""`qorgau backup`, `qorgau restore` and `qorgau backup-key`: encrypted snapshots of a running installation."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qorgau.core.commands import explain, fail, load_command_settings, read_password

if TYPE_CHECKING:
    from qorgau.backup.sealed import Secret

KeyFile = Annotated[Path | None, typer.Option(
    "--key-file", help="A key file from `qorgau backup-key` (base64 of 32 bytes) instead of a passphrase.",
    exists=True, dir_okay=False)]
PassphraseFile = Annotated[Path | None, typer.Option(
    "--passphrase-file", help="Read the passphrase from this file's first line instead of the terminal or stdin.",
    exists=True, dir_okay=False)]


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("backup-key")(backup_key)


def _secret(key_file: Path | None, passphrase_file: Path | None, *, confirm: bool) -> Secret:
    from qorgau.backup.sealed import Secret
    from qorgau.core.errors import ConfigError
    from qorgau.core.keyfiles import read_key_file

    if key_file is not None and passphrase_file is not None:
        raise fail("give either --key-file or --passphrase-file, not both")
    if key_file is not None:
        try:
            return Secret(key=read_key_file(key_file, 32))
        except ConfigError as exc:
            raise fail(str(exc)) from exc
    if passphrase_file is not None:
        lines = passphrase_file.read_text(encoding="utf-8").splitlines()
        phrase = lines[0] if lines else ""
    else:
        phrase = read_password(confirm=confirm)
    if len(phrase) < 12:
        raise fail("the passphrase must be at least 12 characters")
    return Secret(passphrase=phrase)


def backup(
    archive: Annotated[Path, typer.Argument(help="Where to write the encrypted archive.", dir_okay=False)],
    key_file: KeyFile = None,
    passphrase_file: PassphraseFile = None,
) -> None:
    """Write a consistent, encrypted snapshot of the database, key files and audit anchors (safe while running)."""
    from qorgau.backup.sealed import BackupError
    from qorgau.backup.service import create_backup

    settings = load_command_settings()
    secret = _secret(key_file, passphrase_file, confirm=True)
    try:
        manifest = create_backup(settings, archive, secret)
    except BackupError as exc:
        raise fail(explain(exc)) from exc
    counts = ", ".join(f"{name} {count}" for name, count in sorted(manifest.counts.items()))
    typer.echo(f"backup written to {archive}: {manifest.database} at schema {manifest.revision}; {counts}")


def restore(
    archive: Annotated[Path, typer.Argument(help="An archive made by `qorgau backup`.", exists=True,
                                            dir_okay=False)],
    key_file: KeyFile = None,
    passphrase_file: PassphraseFile = None,
    check_only: Annotated[bool, typer.Option("--check", help="Only open and check the archive.")] = False,
) -> None:
    """Restore an archive onto the configured (fresh) data directory and database; then run `qorgau audit verify`."""
    from qorgau.backup.sealed import BackupError
    from qorgau.backup.service import read_manifest, restore_backup

    settings = load_command_settings()
    secret = _secret(key_file, passphrase_file, confirm=False)
    try:
        manifest = read_manifest(archive, secret) if check_only else restore_backup(settings, archive, secret)
    except BackupError as exc:
        raise fail(explain(exc)) from exc
    counts = ", ".join(f"{name} {count}" for name, count in sorted(manifest.counts.items()))
    verb = "archive intact" if check_only else "restored"
    typer.echo(f"{verb}: {manifest.database} at schema {manifest.revision}, made {manifest.created_at}; {counts}")


def backup_key(
    path: Annotated[Path, typer.Argument(help="Where to write the new key file (mode 0600).", dir_okay=False)],
) -> None:
    """Create a random key file for `qorgau backup --key-file`; keep it apart from the archives."""
    from qorgau.core.keyfiles import write_key_file

    if path.exists():
        raise fail(f"{path} exists; not overwriting a key")
    write_key_file(path, secrets.token_bytes(32))
    typer.echo(f"backup key written to {path}")
