"""A hand-driven SIP client over a raw UDP or TCP socket, for what sipp cannot do on purpose (not ACK, garbage)."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field

from qorgau.core.aio import within
from qorgau.protocols.sip.parser import SipMessage, parse, parse_name_addr

SDP = ("v=0\r\no=t 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=audio 49170 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n")


def request(method: str, *, user: str, port: int, local_port: int, call_id: str, branch: str, cseq: int = 1,
            to_tag: str = "", body: str = "", extra: str = "", transport: str = "UDP",
            from_tag: str = "caller1") -> bytes:
    to = f"<sip:sos@127.0.0.1:{port}>" + (f";tag={to_tag}" if to_tag else "")
    head = (f"{method} sip:sos@127.0.0.1:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/{transport} 127.0.0.1:{local_port};branch={branch};rport\r\n"
            f"From: <sip:{user}@127.0.0.1:{local_port}>;tag={from_tag}\r\nTo: {to}\r\nCall-ID: {call_id}\r\n"
            f"CSeq: {cseq} {method}\r\nMax-Forwards: 70\r\nContact: <sip:{user}@127.0.0.1:{local_port}>\r\n"
            f"{extra}")
    if body:
        head += "Content-Type: application/sdp\r\n"
    return f"{head}Content-Length: {len(body.encode())}\r\n\r\n{body}".encode()


class _Inbox(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.queue.put_nowait(data)


@dataclass
class UdpClient:
    port: int  # the listener's
    user: str = "7001"
    call_id: str = field(default_factory=lambda: f"{secrets.token_hex(8)}@127.0.0.1")
    transport: asyncio.DatagramTransport | None = None
    inbox: _Inbox | None = None

    async def open(self) -> UdpClient:
        loop = asyncio.get_running_loop()
        transport, inbox = await loop.create_datagram_endpoint(_Inbox, local_addr=("127.0.0.1", 0),
                                                               remote_addr=("127.0.0.1", self.port))
        self.transport, self.inbox = transport, inbox
        return self

    @property
    def local_port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def send_raw(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.sendto(data)

    def send(self, method: str, *, branch: str, **kwargs: object) -> None:
        self.send_raw(request(method, user=self.user, port=self.port, local_port=self.local_port,
                              call_id=self.call_id, branch=branch, **kwargs))  # type: ignore[arg-type]

    async def recv(self, timeout: float = 2.0) -> SipMessage:
        assert self.inbox is not None
        return parse(await within(self.inbox.queue.get(), timeout))

    async def until(self, status: int, timeout: float = 2.0) -> SipMessage:
        while True:
            message = await self.recv(timeout)
            if message.status == status:
                return message

    async def quiet(self, seconds: float) -> list[SipMessage]:
        """Everything that arrives within `seconds`."""
        found: list[SipMessage] = []
        deadline = asyncio.get_running_loop().time() + seconds
        try:
            while (left := deadline - asyncio.get_running_loop().time()) > 0:
                found.append(await self.recv(left))
        except TimeoutError:
            pass
        return found


def to_tag(message: SipMessage) -> str:
    tag = parse_name_addr(message.get("to") or "").tag
    assert tag
    return tag
