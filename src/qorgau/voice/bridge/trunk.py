"""The 102 trunk: a UAS like the terminals' one, trusting the trunk by address, with the caller's number and place.

A 102 call is no SOS alarm: it makes no SOS event and no terminal record; it rings on the desks as a `line102`
VoiceCall with the caller's number (P-Asserted-Identity, else From) and, when the exchange sends one, a PIDF-LO
location (RFC 6442 `Geolocation` with a `multipart/mixed` body).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from qorgau.ingest.adapters.sip.config import SipConfig
from qorgau.ingest.adapters.sip.dialogs import Call
from qorgau.ingest.adapters.sip.hooks import CallHooks
from qorgau.ingest.adapters.sip.transactions import Peer, ServerTransaction
from qorgau.ingest.adapters.sip.uas import Uas
from qorgau.ingest.directory import DeviceRef
from qorgau.ingest.hub import IngestHub
from qorgau.protocols.sip.parser import SipMessage, SipParseError, parse_name_addr
from qorgau.voice.bridge.host import Bridge
from qorgau.voice.enums import CallKind

TRUNK = DeviceRef(id=0, code="LINE-102", kind="trunk", site_code=None, lon=0.0, lat=0.0, lifecycle="in_service",
                  supervision_interval_s=0)
_POS = re.compile(rb"<(?:\w+:)?pos[^>]*>\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*</(?:\w+:)?pos>")
_NUMBER = re.compile(r"^\+?[0-9]{2,31}$")


@dataclass(frozen=True)
class Caller:
    """Who is calling 102 and from where, as the trunk said."""

    number: str | None
    location: tuple[float, float] | None  # (lon, lat)


def caller_number(request: SipMessage) -> str | None:
    """The caller's number: P-Asserted-Identity (RFC 3325) when the trunk asserts one, else the From user."""
    for header in ("p-asserted-identity", "from"):
        value = request.get(header)
        if not value:
            continue
        try:
            user = parse_name_addr(value.split(",")[0]).user
        except SipParseError:
            continue
        user = (user or "").split(";")[0]
        if _NUMBER.match(user):
            return user
    return None


def split_body(request: SipMessage) -> tuple[bytes, tuple[float, float] | None]:
    """The SDP of a plain or multipart/mixed body, and the PIDF-LO position (lon, lat) if one is there."""
    content_type = request.get("content-type") or "application/sdp"
    if not content_type.lower().startswith("multipart/"):
        return request.body, None
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        return b"", None
    sdp_part, location = b"", None
    for part in request.body.split(b"--" + match.group(1).encode()):
        head, _, body = part.partition(b"\r\n\r\n")
        kind = head.lower()
        if b"application/sdp" in kind:
            sdp_part = body.rstrip(b"\r\n")
        elif b"pidf+xml" in kind and (pos := _POS.search(body)) is not None:
            lat, lon = float(pos.group(1)), float(pos.group(2))  # GML order is latitude, longitude
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                location = (lon, lat)
    return sdp_part + b"\r\n" if sdp_part else b"", location


class _NoRecord:
    """102 calls leave no SOS events and no terminal call records."""

    def emit(self, call: Call, action: object, detail: str | None = None) -> asyncio.Task[bool]:
        async def durable() -> bool:
            return True
        return asyncio.ensure_future(durable())

    def save(self, call: Call) -> None:
        return None

    def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def drain(self) -> None:
        return None


class TrunkUas(Uas):
    """The UAS for the trunk's port: any caller from a trunk address, no digest, no SOS events."""

    def __init__(self, hub: IngestHub, config: SipConfig, hooks: CallHooks | None = None, *,
                 hosts: frozenset[str] = frozenset({"127.0.0.1"})) -> None:
        super().__init__(hub, config, hooks)
        self.hosts = hosts
        self.recorder = _NoRecord()  # type: ignore[assignment]  # same interface, nothing recorded
        self.store = _NoRecord()  # type: ignore[assignment]
        self.callers: dict[str, Caller] = {}

    def handle(self, message: SipMessage, peer: Peer) -> None:
        if message.is_request and message.method == "INVITE" and peer.address[0] in self.hosts:
            body, location = split_body(message)
            call_id = message.get("call-id") or ""
            if call_id and call_id not in self.callers:
                self.callers[call_id] = Caller(caller_number(message), location)
            message.body = body  # the UAS reads the SDP alone
            message.headers = [(k, "application/sdp" if k == "content-type" else v) for k, v in message.headers]
        super().handle(message, peer)

    def _identify(self, tx: ServerTransaction) -> tuple[DeviceRef, str] | None:
        return (TRUNK, "trunk") if tx.peer.address[0] in self.hosts else None

    def _authorised(self, tx: ServerTransaction, device: DeviceRef, user: str) -> bool:
        return True  # trusted by its address (the exchange's link is not the public Internet)

    def _heartbeat(self, device: DeviceRef) -> None:
        return None

    def _release(self, call: Call) -> None:
        super()._release(call)
        self.callers.pop(call.call_id, None)


class TrunkHooks:
    """The bridge's hooks for the trunk's UAS: calls are `line102`, with the caller the trunk named."""

    def __init__(self, bridge: Bridge) -> None:
        self.bridge = bridge
        self.uas: TrunkUas | None = None

    def make_uas(self, hub: IngestHub, config: SipConfig, hooks: CallHooks | None, *,
                 hosts: frozenset[str]) -> TrunkUas:
        self.uas = TrunkUas(hub, config, hooks, hosts=hosts)
        return self.uas

    def _caller(self, call: Call) -> Caller:
        found = self.uas.callers.get(call.call_id) if self.uas is not None else None
        return found or Caller(None, None)

    async def offered(self, call: Call) -> int | None:
        caller = self._caller(call)
        return await self.bridge.offered(call, kind=CallKind.LINE102, caller=caller.number, location=caller.location,
                                         hangup=self.uas.hangup if self.uas is not None else None)

    def answered(self, call: Call) -> None:
        self.bridge.answered(call)

    def ended(self, call: Call) -> None:
        self.bridge.ended(call, kind=CallKind.LINE102, caller=self._caller(call).number)
