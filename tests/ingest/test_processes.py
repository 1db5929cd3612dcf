"""Where the adapters run: inside `qorgau serve` by default, or in `qorgau ingest` beside it; either way a
panel's frame reaches the operator's WebSocket in the server process."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from websockets.sync.client import ClientConnection, connect

from qorgau.core.db import Database
from qorgau.settings import Settings
from tests.conftest import PASSWORD
from tests.ingest.conftest import add_panel, send_panic
from tests.server import cli_env, free_port, run_cli, running_server, start_ingest


@contextmanager
def _live(base: str, env: dict[str, str]) -> Iterator[ClientConnection]:
    assert run_cli(env, "user", "add", "chief", "--role", "admin", stdin=PASSWORD + "\n").returncode == 0
    with httpx.Client(base_url=base) as http:
        assert http.post("/api/auth/login", json={"username": "chief", "password": PASSWORD}).status_code == 200
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    with connect(base.replace("http", "ws") + "/api/events/ws", additional_headers={"Cookie": cookie},
                 open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "hello"
        yield ws


def _panel_event(ws: ClientConnection) -> dict[str, object]:
    for _ in range(50):
        message = json.loads(ws.recv(timeout=15))
        if message["type"] == "event" and message["event"]["name"] == "ingest.panel_event":
            return dict(message["event"])
    raise AssertionError("the panel's event never reached the WebSocket")


def test_adapters_run_inside_serve_by_default(settings: Settings, db: Database, tmp_path: Path) -> None:
    add_panel(db)
    port = free_port()
    env = cli_env(settings.data_dir, settings.effective_database_url, QORGAU_INGEST_IN_SERVE="true",
                  QORGAU_DC09_TCP_PORT=str(port), QORGAU_DC09_UDP_PORT=str(port), QORGAU_SIP_ENABLED="false")
    with running_server(env, tmp_path / "server.log") as base:
        with _live(base, env) as ws:
            assert send_panic(port).message_type == "ACK"
            event = _panel_event(ws)
        metrics = httpx.get(f"{base}/metrics").text
    assert event["payload"]["kind"] == "panic" and event["subject_id"] == "PNL-0001"  # type: ignore[index]
    assert 'qorgau_ingest_received_total{adapter="sia_dc09",outcome="event"} 1.0' in metrics


def test_separate_ingest_process_feeds_the_server(settings: Settings, db: Database, tmp_path: Path) -> None:
    add_panel(db)
    port, http_port = free_port(), free_port()
    env = cli_env(settings.data_dir, settings.effective_database_url)  # the server runs no adapters
    ingest_env = cli_env(settings.data_dir, settings.effective_database_url, QORGAU_DC09_TCP_PORT=str(port),
                         QORGAU_DC09_UDP_PORT=str(port), QORGAU_SIP_ENABLED="false",
                         QORGAU_INGEST_HTTP_PORT=str(http_port))
    with running_server(env, tmp_path / "server.log") as base:
        ingest: subprocess.Popen[bytes] = start_ingest(ingest_env, tmp_path / "ingest.log")
        try:
            with _live(base, env) as ws:
                assert send_panic(port).message_type == "ACK"
                event = _panel_event(ws)
            metrics = httpx.get(f"http://127.0.0.1:{http_port}/metrics").text
        finally:
            ingest.terminate()
            ingest.wait(30)
    assert event["payload"]["code"] == "120"  # type: ignore[index]
    assert 'qorgau_ingest_received_total{adapter="sia_dc09",outcome="event"} 1.0' in metrics
    # The group went through the writer process, which reports its own share of the commit's round trip.
    sample = {line.split(" ")[0]: float(line.split(" ")[1]) for line in metrics.splitlines()
              if line.startswith(("qorgau_ingest_writer_seconds_", "qorgau_ingest_commit_seconds_"))}
    assert sample["qorgau_ingest_writer_seconds_count"] == sample["qorgau_ingest_commit_seconds_count"] >= 1
    assert 0 < sample["qorgau_ingest_writer_seconds_sum"] <= sample["qorgau_ingest_commit_seconds_sum"]
