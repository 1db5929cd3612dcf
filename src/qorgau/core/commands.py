"""What every `qorgau` command shares: settings, a one-shot command's database and keys, failures, passwords,
generated README sections."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from qorgau.core.errors import ConfigError, QorgauError

if TYPE_CHECKING:
    from qorgau.core.settings import CoreSettings


@dataclass(frozen=True)
class CommandSetup:
    """What the entry point that gathers the domains gives every command: how to load the program's settings
    (every domain's part of them) and every domain's tables and events. The kernel cannot name them itself,
    since the domains import it."""

    load_settings: Callable[[], CoreSettings]
    load_domains: Callable[[], None]


_installed: list[CommandSetup] = []


def install(setup: CommandSetup) -> None:
    """Called once by the `qorgau` entry point, before any command runs."""
    _installed[:] = [setup]


def _setup() -> CommandSetup:
    if not _installed:
        raise RuntimeError("a command runs under the `qorgau` entry point (qorgau.cli), which installs its setup")
    return _installed[0]


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def replace_section(text: str, begin: str, end: str, body: str, *, what: str) -> str:
    """``text`` with the part between the markers ``begin`` and ``end`` replaced by the generated ``body``."""
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"the {what} markers are missing")
    return f"{text[:start]}{begin}\n\n{body}\n{text[stop:]}"


def regenerate(readme: Path, update: Callable[[str], str], *, what: str, command: str, check: bool) -> None:
    """Write the generated ``what`` into ``readme``; with ``check``, exit 1 instead when the file holds another."""
    try:
        text = readme.read_text(encoding="utf-8")
        updated = update(text)
    except (OSError, ValueError) as exc:
        raise fail(f"{readme}: {exc}") from exc
    if check:
        if updated != text:
            raise fail(f"{readme}'s {what} is out of date: run `{command}`", 1)
        typer.echo(f"{readme}'s {what} is up to date")
        return
    readme.write_text(updated, encoding="utf-8")
    typer.echo(f"wrote the {what} into {readme}")


def explain(exc: QorgauError) -> str:
    """An error's English message, for the terminal."""
    from qorgau.core.i18n import translate

    return translate(exc.code, "en", **exc.params)


def load_command_settings() -> CoreSettings:
    """The effective settings; a configuration error ends the command with its message."""
    try:
        return _setup().load_settings()
    except ConfigError as exc:
        raise fail(str(exc)) from exc


def read_password(confirm: bool = True) -> str:
    """From a terminal: ask twice. Otherwise: the first line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if confirm and getpass.getpass("Repeat password: ") != first:
            raise fail("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


class CommandContext:
    """Settings, database and keys for a one-shot command; its commits wake running servers."""

    def __init__(self) -> None:
        from qorgau.core.bus.wake import install_poker
        from qorgau.core.crypto import configure_keyring, load_keyring
        from qorgau.core.db import Database
        from qorgau.core.migrate import is_at_head

        self.settings = load_command_settings()
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        _setup().load_domains()
        self.db = Database(self.settings.effective_database_url)
        with self.db.engine.connect() as conn:
            if not is_at_head(conn):
                raise fail("the database is not migrated: run `qorgau migrate` first")
        configure_keyring(load_keyring(self.settings))
        install_poker(self.settings.run_dir)
