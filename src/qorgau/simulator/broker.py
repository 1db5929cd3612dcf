"""The demo's own MQTT broker: Mosquitto when it is installed, otherwise rumqttd embedded from PyPI (iotcore).

Both run as a child process listening on 127.0.0.1 only, and both speak MQTT 5 with persistent sessions, so
Qorgau's subscriber (clean start off, session expiry, PUBACK after commit) works against either unchanged.
Mosquitto also keeps its sessions and queues on disk in the data directory; the embedded broker keeps them in
memory (they survive Qorgau's restarts, not the broker's).

`python -m qorgau.simulator.broker --port N --data-dir D` runs the embedded broker in the foreground; it exits
when its standard input closes, so a demo that dies leaves no broker behind.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Literal, Self

from qorgau.core.processes import tied_to_this_process

log = logging.getLogger(__name__)

BrokerKind = Literal["mosquitto", "embedded"]
Prefer = Literal["auto", "mosquitto", "embedded"]
MOSQUITTO_FALLBACKS = (Path("/usr/sbin/mosquitto"), Path("/usr/local/sbin/mosquitto"))
HOST = "127.0.0.1"
MAX_PACKET_BYTES = 20480  # Qorgau's 16 KiB payload limit plus topic and header (docs/mqtt/README.md)
MAX_INFLIGHT = 1000  # matches the Receive Maximum Qorgau announces
MAX_QUEUED = 1_000_000  # messages kept for Qorgau while it is down
LOG_TAIL_BYTES = 4000
EMBEDDED_MEMORY_SEGMENT_BYTES = 16 * 1024 * 1024  # rumqttd's in-memory commit log: 8 segments of 16 MiB at most
EMBEDDED_MEMORY_SEGMENTS = 8


class BrokerError(RuntimeError):
    """The demo broker could not be started (the message carries the end of its log)."""


def find_mosquitto() -> Path | None:
    """The mosquitto binary on PATH or in the usual sbin folders (not on a normal user's PATH), or None."""
    found = shutil.which("mosquitto")
    if found:
        return Path(found)
    return next((path for path in MOSQUITTO_FALLBACKS if os.access(path, os.X_OK)), None)


def free_port(host: str = HOST) -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def mosquitto_config(port: int, data_dir: Path) -> str:
    """mosquitto.conf of the demo: local listener, anonymous, persistent, generous queues, quiet."""
    lines = [
        f"listener {port} {HOST}",
        "allow_anonymous true",
        "persistence true",
        f"persistence_location {data_dir}/",
        "autosave_interval 30",
        f"max_queued_messages {MAX_QUEUED}",
        "queue_qos0_messages false",
        f"max_inflight_messages {MAX_INFLIGHT}",
        f"max_packet_size {MAX_PACKET_BYTES}",
        "retain_available false",
        f"log_dest file {data_dir}/mosquitto.log",
        "log_type error",
        "log_type warning",
        "log_type notice",
        "connection_messages false",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # As root Mosquitto would switch to the `mosquitto` user, which cannot write the demo's data directory.
        lines.append("user root")
    return "\n".join(lines) + "\n"


def embedded_config(port: int) -> str:
    """rumqttd.toml of the embedded broker: one MQTT 5 listener on the loopback."""
    return f"""# Written by qorgau.simulator.broker; rewritten on every start.
id = 0

[router]
id = 0
max_connections = 10010
max_outgoing_packet_count = {MAX_INFLIGHT}
max_segment_size = {EMBEDDED_MEMORY_SEGMENT_BYTES}
max_segment_count = {EMBEDDED_MEMORY_SEGMENTS}

[v5.1]
name = "qorgau-demo"
listen = "{HOST}:{port}"
next_connection_delay_ms = 1

[v5.1.connections]
connection_timeout_ms = 60000
max_payload_size = {MAX_PACKET_BYTES}
max_inflight_count = {MAX_INFLIGHT}
dynamic_filters = true
"""


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def _tail(*paths: Path) -> str:
    parts = []
    for path in paths:
        try:
            with path.open("rb") as handle:
                handle.seek(0, os.SEEK_END)
                handle.seek(max(0, handle.tell() - LOG_TAIL_BYTES))
                text = handle.read().decode("utf-8", "replace").strip()
        except OSError:
            continue
        if text:
            parts.append(f"--- {path.name} ---\n{text}")
    return "\n".join(parts) or "(no log output)"


class DemoBroker:
    """A local MQTT broker for the demo and the simulator: `with DemoBroker(dir) as broker: broker.url`.

    `start()` and `stop()` block (at most a few seconds); from asyncio use `async with` or `asyncio.to_thread`.
    """

    def __init__(self, data_dir: Path, port: int = 0, *, prefer: Prefer = "auto",
                 start_timeout_s: float = 15.0) -> None:
        self.data_dir = Path(data_dir)
        self.port = port
        self.prefer = prefer
        self.start_timeout_s = start_timeout_s
        self._kind: BrokerKind | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """mqtt://127.0.0.1:PORT (the port is chosen by start() when it was 0)."""
        if self.port == 0:
            raise BrokerError("the broker has no port yet: call start() first")
        return f"mqtt://{HOST}:{self.port}"

    @property
    def kind(self) -> BrokerKind:
        """`mosquitto` or `embedded`: which broker start() chose."""
        if self._kind is None:
            self._kind = self._choose()
        return self._kind

    @property
    def protocol(self) -> Literal["5"]:
        """The MQTT version to speak to it: both kinds are MQTT 5 brokers with persistent sessions."""
        return "5"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _choose(self) -> BrokerKind:
        if self.prefer == "embedded":
            return "embedded"
        if find_mosquitto() is not None:
            return "mosquitto"
        if self.prefer == "mosquitto":
            raise BrokerError("mosquitto is not installed (looked on PATH and in /usr/sbin)")
        return "embedded"

    # -- lifecycle -------------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Start the broker and return once it accepts connections; BrokerError (with its log) if it cannot."""
        if self.running:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.port == 0:
            self.port = free_port()
        elif _accepts(self.port):
            raise BrokerError(f"port {self.port} on {HOST} is already in use")
        kind = self.kind
        command, logs = self._mosquitto() if kind == "mosquitto" else self._embedded()
        output_path = self.data_dir / f"{kind}.out"
        self._output = output_path.open("ab")
        self._process = subprocess.Popen(  # noqa: S603 - our own fixed command line
            command, stdin=subprocess.PIPE, stdout=self._output, stderr=subprocess.STDOUT, cwd=self.data_dir,
            start_new_session=True,  # a Ctrl+C in the demo's terminal reaches the demo, which then stops us in order
            preexec_fn=tied_to_this_process(),  # and if the demo is killed, the kernel stops us
        )
        deadline = time.monotonic() + self.start_timeout_s
        while not _accepts(self.port):
            code = self._process.poll()
            if code is not None:
                self.stop()
                raise BrokerError(f"{kind} broker exited with code {code}:\n{_tail(*logs, output_path)}")
            if time.monotonic() > deadline:
                self.stop()
                raise BrokerError(f"{kind} broker did not listen on {HOST}:{self.port} within "
                                  f"{self.start_timeout_s:g} s:\n{_tail(*logs, output_path)}")
            time.sleep(0.05)
        log.info("mqtt demo broker started", extra={"kind": kind, "url": self.url})
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop it gracefully (SIGTERM: Mosquitto saves its sessions and queues), killing it after `timeout_s`."""
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()  # the embedded broker exits on its own when this pipe closes
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._close_output()

    def _close_output(self) -> None:
        if self._output is not None:
            self._output.close()
            self._output = None

    def _mosquitto(self) -> tuple[list[str], list[Path]]:
        binary = find_mosquitto()
        if binary is None:
            raise BrokerError("mosquitto is not installed (looked on PATH and in /usr/sbin)")
        conf = self.data_dir / "mosquitto.conf"
        conf.write_text(mosquitto_config(self.port, self.data_dir.resolve()), encoding="utf-8")
        return [str(binary), "-c", str(conf)], [self.data_dir / "mosquitto.log"]

    def _embedded(self) -> tuple[list[str], list[Path]]:
        return [sys.executable, "-m", "qorgau.simulator.broker", "--port", str(self.port),
                "--data-dir", str(self.data_dir.resolve())], []

    # -- context managers ------------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await asyncio.to_thread(self.stop)

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<DemoBroker {self._kind or self.prefer} {HOST}:{self.port} {state}>"


# -- the embedded broker's own process ---------------------------------------------------------------------


def _exit_when_parent_goes(stream: IO[bytes]) -> None:
    try:
        while stream.read(4096):
            pass
    finally:
        os._exit(0)


def run_embedded(port: int, data_dir: Path) -> None:
    """Run rumqttd (from the iotcore wheel) in this process until standard input closes or SIGTERM."""
    try:
        from iotcore.iotcore import IotCoreBroker
    except ImportError:
        sys.exit("the embedded MQTT broker needs the iotcore package (pip install iotcore); or install mosquitto")

    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / "rumqttd.toml"
    config.write_text(embedded_config(port), encoding="utf-8")
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # rumqttd reports every packet as an ERROR-level tracing span: only let its output through when debugging.
    debug = os.environ.get("QORGAU_BROKER_DEBUG") == "1"
    logging.getLogger("rumqttd").setLevel(logging.DEBUG if debug else logging.CRITICAL)
    logging.getLogger("tracing").setLevel(logging.DEBUG if debug else logging.CRITICAL)
    threading.Thread(target=_exit_when_parent_goes, args=(sys.stdin.buffer,), daemon=True,
                     name="parent-watch").start()
    broker = IotCoreBroker(config_path=str(config))
    broker.run_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m qorgau.simulator.broker",
                                     description="Run the demo's embedded MQTT 5 broker on 127.0.0.1.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    run_embedded(args.port, args.data_dir)


if __name__ == "__main__":
    main()
