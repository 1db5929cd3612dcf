"""Browser tests: Debian's Chromium driven by Playwright against a real `qorgau serve`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from qorgau.core.db import Database
from qorgau.units.seed import seed_aksai
from tests.conftest import PASSWORD, ROOT
from tests.server import cli_env, free_port, run_cli, running_server

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
    }


def _server(factory: pytest.TempPathFactory, *extra: list[str], **settings: str) -> Iterator[str]:
    """A server on SQLite with the built web app, an admin `chief` and an operator `op` (password PASSWORD);
    ``settings``: QORGAU_* variables of its own."""
    if not (ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the web app is not built: run ./run test (or ./run web)")
    data = factory.mktemp("browser")
    env = cli_env(data / "var", f"sqlite:///{data}/qorgau.db", **settings)
    for command in (["migrate"], ["user", "add", "chief", "--role", "admin", "--display-name", "Asel Nurova"],
                    ["user", "add", "op", "--role", "operator", "--display-name", "Duty Operator"], *extra):
        result = run_cli(env, *command, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    with running_server(env, Path(data) / "server.log") as base:
        yield base


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _server(tmp_path_factory)


@pytest.fixture(scope="module")
def aksai_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same, with the Aksai city model and the Smart Aqsai device plan seeded."""
    yield from _server(tmp_path_factory, ["city", "seed-aksai"], ["devices", "seed-aksai"])


@dataclass(frozen=True)
class DeskServer:
    base: str
    dc09_port: int


def seeded_desk_server(factory: pytest.TempPathFactory, name: str, *users: list[str]) -> Iterator[DeskServer]:
    """`qorgau serve` with the DC-09 receiver inside it, the Aksai city, devices and units, and these users
    (each a `user add` argument list; password PASSWORD)."""
    if not (ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the web app is not built: run ./run test (or ./run web)")
    data = factory.mktemp(name)
    port = free_port()
    url = f"sqlite:///{data}/qorgau.db"
    env = cli_env(data / "var", url, QORGAU_INGEST_IN_SERVE="true", QORGAU_DC09_TCP_PORT=str(port),
                  QORGAU_DC09_UDP_PORT=str(port), QORGAU_SIP_ENABLED="false")
    for command in (["migrate"], *(["user", "add", *user] for user in users), ["city", "seed-aksai"],
                    ["devices", "seed-aksai"]):
        result = run_cli(env, *command, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    database = Database(url)
    with database.unit_of_work() as session:
        assert seed_aksai(session) > 0
    database.engine.dispose()
    with running_server(env, Path(data) / "server.log") as base:
        yield DeskServer(base, port)
