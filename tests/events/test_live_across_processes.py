"""Done-when check: an event published by one process reaches the operator's WebSocket in the server process."""

import json
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from qorgau.settings import Settings
from tests.conftest import PASSWORD
from tests.server import cli_env, run_cli, running_server


@pytest.mark.timeout(120)  # starts the server and runs CLI processes beside it
def test_cli_process_event_reaches_server_websocket(settings: Settings, tmp_path: Path) -> None:
    env = cli_env(settings.data_dir, settings.effective_database_url)
    assert run_cli(env, "user", "add", "chief", "--role", "admin", stdin=PASSWORD + "\n").returncode == 0
    with running_server(env, tmp_path / "server.log") as base:
        with httpx.Client(base_url=base) as http:
            assert http.post("/api/auth/login", json={"username": "chief", "password": PASSWORD}).status_code == 200
            cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        with connect(base.replace("http", "ws") + "/api/events/ws", additional_headers={"Cookie": cookie},
                     open_timeout=10) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "hello"
            # Another process (the CLI) commits a change; its event must reach this socket.
            added = run_cli(env, "user", "add", "duty-op", "--role", "operator", stdin=PASSWORD + "\n")
            assert added.returncode == 0, added.stderr
            for _ in range(20):
                message = json.loads(ws.recv(timeout=15))
                if message["type"] == "event" and message["event"]["name"] == "auth.user_created":
                    break
            else:
                raise AssertionError("the CLI's event never reached the WebSocket")
    assert message["event"]["context"]["actor"] == "system:cli"
    assert message["event"]["payload"]["role"] == "operator"
