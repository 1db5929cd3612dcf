"""The SOS terminal's socket to the SIP listener: a connected UDP socket or one TCP connection per call."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Literal

from qorgau.core.aio import within
from qorgau.protocols.sip.parser import MAX_MESSAGE, Framer, SipMessage, SipParseError, parse

Transport = Literal["udp", "tcp"]


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, queue: asyncio.Queue[SipMessage | OSError]) -> None:
        self.queue = queue

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        with contextlib.suppress(SipParseError):  # a broken datagram is as good as lost: retransmissions cover it
            self.queue.put_nowait(parse(data))

    def error_received(self, exc: Exception) -> None:
        # On a connected UDP socket an ICMP port-unreachable surfaces here: nobody listens, stop waiting.
        self.queue.put_nowait(exc if isinstance(exc, OSError) else OSError(str(exc)))


class Channel:
    """One socket to the listener: parsed messages in, bytes out; a failed transport raises OSError on recv."""

    def __init__(self, *, reliable: bool, local: tuple[str, int], send: Callable[[bytes], None],
                 queue: asyncio.Queue[SipMessage | OSError], udp: asyncio.DatagramTransport | None = None,
                 writer: asyncio.StreamWriter | None = None, reader_task: asyncio.Task[None] | None = None) -> None:
        self.reliable, self.local, self._send, self._queue = reliable, local, send, queue
        self._udp, self._writer, self._reader_task = udp, writer, reader_task

    def send(self, data: bytes) -> None:
        if self._writer is None or not self._writer.is_closing():
            self._send(data)

    async def recv(self, timeout: float) -> SipMessage | None:
        try:
            item = self._queue.get_nowait() if timeout <= 0 else await within(self._queue.get(), timeout)
        except (TimeoutError, asyncio.QueueEmpty):
            return None
        if isinstance(item, OSError):
            raise item
        return item

    async def close(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._reader_task is not None:
            self._reader_task.cancel()
            await asyncio.gather(self._reader_task, return_exceptions=True)
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()


async def _read_stream(reader: asyncio.StreamReader, queue: asyncio.Queue[SipMessage | OSError]) -> None:
    framer = Framer()
    try:
        while data := await reader.read(16384):
            for message in framer.feed(data):
                queue.put_nowait(message)
        queue.put_nowait(ConnectionResetError("the listener closed the connection"))
    except SipParseError as exc:
        queue.put_nowait(OSError(f"unreadable SIP stream: {exc.reason}"))
    except OSError as exc:
        queue.put_nowait(exc)


async def open_channel(transport: Transport, host: str, port: int, local_host: str) -> Channel:
    """A connected UDP socket, or one TCP connection per call (messages framed by Content-Length)."""
    queue: asyncio.Queue[SipMessage | OSError] = asyncio.Queue()
    if transport == "udp":
        udp, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: _Datagrams(queue), local_addr=(local_host, 0), remote_addr=(host, port))
        name = udp.get_extra_info("sockname")
        return Channel(reliable=False, local=(str(name[0]), int(name[1])), send=udp.sendto, queue=queue, udp=udp)
    reader, writer = await asyncio.open_connection(host, port, local_addr=(local_host, 0), limit=MAX_MESSAGE)
    name = writer.get_extra_info("sockname")
    task = asyncio.create_task(_read_stream(reader, queue))
    return Channel(reliable=True, local=(str(name[0]), int(name[1])), send=writer.write, queue=queue,
                    writer=writer, reader_task=task)
