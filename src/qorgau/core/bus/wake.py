"""Wake-up signals telling readers in this process that new events were committed somewhere.

A wake-up carries no data: readers always read the outbox, so a lost or duplicated
signal costs at most one poll interval, never an event.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import socket
import tempfile
from pathlib import Path

from qorgau.core.aio import within
from qorgau.core.bus.outbox import PG_NOTIFY_CHANNEL, add_after_commit_waker, remove_after_commit_waker
from qorgau.core.workers import cancel_all

log = logging.getLogger(__name__)
_MAX_UNIX_PATH = 100


class WakeSource:
    """Fans one wake-up out to every reader of this process."""

    def __init__(self) -> None:
        self._listeners: set[asyncio.Event] = set()

    def listener(self) -> asyncio.Event:
        flag = asyncio.Event()
        self._listeners.add(flag)
        return flag

    def forget(self, flag: asyncio.Event) -> None:
        self._listeners.discard(flag)

    def bump(self) -> None:
        for flag in self._listeners:
            flag.set()

    async def start(self) -> None:
        """Begin receiving wake-ups."""

    async def stop(self) -> None:
        """Stop receiving wake-ups."""


def socket_dir(run_dir: Path) -> Path:
    """Folder of the wake-up sockets, kept short enough for AF_UNIX paths."""
    preferred = run_dir.resolve() / "bus"
    if len(str(preferred)) + 40 < _MAX_UNIX_PATH:
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"qorgau-bus-{digest}"


class SocketPoker:
    """Sends a one-byte datagram to every reader socket in the folder (publisher side)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._sender: socket.socket | None = None  # opened on first use
        self._targets: list[str] = []
        self._listing_stamp: int | None = None

    def _targets_now(self) -> list[str]:
        try:
            stamp = os.stat(self.directory).st_mtime_ns
        except FileNotFoundError:
            return []
        if stamp != self._listing_stamp:
            self._targets = [str(p) for p in self.directory.glob("*.sock")]
            self._listing_stamp = stamp
        return self._targets

    def poke(self) -> None:
        targets = self._targets_now()
        if not targets:
            return
        sender = self._sender
        if sender is None:
            sender = self._sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sender.setblocking(False)
        for target in targets:
            try:
                sender.sendto(b"!", target)
            except BlockingIOError:
                pass  # the reader already has unread wake-ups queued
            except (ConnectionRefusedError, FileNotFoundError):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)  # its process is gone
            except OSError as exc:
                log.warning("event wake-up to %s failed: %s", target, exc)

    def close(self) -> None:
        if self._sender is not None:
            self._sender.close()
            self._sender = None


class SocketWake(WakeSource):
    """Local datagram sockets: one per reading process, poked after every publishing commit."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory
        self.path = directory / f"{os.getpid()}-{secrets.token_hex(4)}.sock"
        self._sock: socket.socket | None = None
        self._poker = SocketPoker(directory)

    async def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.bind(str(self.path))
        self._sock = sock
        asyncio.get_running_loop().add_reader(sock.fileno(), self._drain)
        add_after_commit_waker(self._poker.poke)

    def _drain(self) -> None:
        sock = self._sock
        if sock is None:
            return
        with contextlib.suppress(BlockingIOError):
            while sock.recv(64):
                pass
        self.bump()

    async def stop(self) -> None:
        remove_after_commit_waker(self._poker.poke)
        if self._sock is not None:
            asyncio.get_running_loop().remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._poker.close()


def install_poker(run_dir: Path) -> SocketPoker:
    """For processes that publish but do not read (CLI commands, ingest): wake the readers."""
    poker = SocketPoker(socket_dir(run_dir))
    add_after_commit_waker(poker.poke)
    return poker


class PostgresWake(WakeSource):
    """LISTEN on the channel the publishers NOTIFY inside their transactions."""

    def __init__(self, sqlalchemy_url: str) -> None:
        super().__init__()
        self.dsn = sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="events-pg-listen")
        await within(self._ready.wait(), 10)

    async def _listen(self) -> None:
        import psycopg

        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {PG_NOTIFY_CHANNEL}")
                    self._ready.set()
                    self.bump()  # anything committed while we were away is read now
                    delay = 0.5
                    async for _ in conn.notifies():
                        self.bump()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # reconnect on any connection failure
                log.warning("event LISTEN connection lost (%s); retrying in %.1fs", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_all([self._task])
