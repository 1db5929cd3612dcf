"""The SOS terminal's user agent client: client transactions and the one dialog of a call (RFC 3261 UAC subset)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable

from qorgau.core.aio import within
from qorgau.protocols.sip.parser import SipMessage, SipParseError, parse_cseq, parse_name_addr, parse_via
from qorgau.simulator.sip_channel import Channel

T1 = 0.5  # RFC 3261 §17: round-trip estimate, the first UDP retransmission interval
T2 = 4.0  # longest retransmission interval of a non-INVITE request
TARGET = "sos"  # the number the button dials; the listener ignores the request-URI user
USER_AGENT = "Qorgau-Simulator-SOS/1"

Key = tuple[str, str]  # a client transaction: (branch, method)


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _tag(value: str | None) -> str | None:
    try:
        return parse_name_addr(value or "").tag
    except SipParseError:
        return None


def _branch() -> str:
    return f"z9hG4bK{secrets.token_hex(8)}"  # the magic cookie marks an RFC 3261 branch (§8.1.1.7)


def _sdp_offer(host: str, port: int | None) -> bytes:
    # The terminal's media end: the port its RTP caller bound, or (no audio to play) an even one never opened.
    session = secrets.randbelow(10**9)
    port = port if port is not None else 16384 + 2 * secrets.randbelow(8000)
    family = "IP6" if ":" in host else "IP4"
    return (f"v=0\r\no=- {session} {session} IN {family} {host}\r\ns=SOS\r\nc=IN {family} {host}\r\nt=0 0\r\n"
            f"m=audio {port} RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\n"
            "a=sendrecv\r\n").encode()


def _with_location(sdp: bytes, location: tuple[float, float], host: str) -> tuple[bytes, str, str]:
    """The SDP and a PIDF-LO position (RFC 6442, as a trunk carries a 102 caller's place) as multipart/mixed; the
    body, its Content-Type and the Geolocation header's value."""
    lon, lat = location
    boundary, cid = f"qorgau-{secrets.token_hex(6)}", f"loc-{secrets.token_hex(4)}@{_bracket(host)}"
    pidf = ('<?xml version="1.0" encoding="UTF-8"?>\r\n<presence xmlns="urn:ietf:params:xml:ns:pidf" '
            'xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" xmlns:gml="http://www.opengis.net/gml" '
            f'entity="pres:caller@{_bracket(host)}"><tuple id="loc"><status><gp:geopriv><gp:location-info>'
            # GML's order is latitude, then longitude.
            f'<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>{lat:.6f} {lon:.6f}</gml:pos></gml:Point>'
            "</gp:location-info></gp:geopriv></status></tuple></presence>")
    body = (f"--{boundary}\r\nContent-Type: application/sdp\r\n\r\n".encode() + sdp
            + f"\r\n--{boundary}\r\nContent-Type: application/pidf+xml\r\nContent-ID: <{cid}>\r\n\r\n{pidf}"
              f"\r\n--{boundary}--\r\n".encode())
    return body, f"multipart/mixed;boundary={boundary}", f"<cid:{cid}>"


class Uac:
    """Client transactions and the one dialog of a call, driven by the messages the channel delivers."""

    def __init__(self, channel: Channel, *, host: str, port: int, user: str, local_host: str,
                 domain: str | None, target: str = TARGET, media_port: int | None = None,
                 location: tuple[float, float] | None = None) -> None:
        self.channel = channel
        self.user = user
        self.local_host = local_host
        self.domain = domain or f"{_bracket(host)}:{port}"
        self.target = target  # the number dialled: "sos" for a terminal's button, "102" on the trunk
        self.media_port = media_port
        self.location = location  # (lon, lat) sent with the INVITE as PIDF-LO (a 102 trunk's caller)
        self.request_uri = f"sip:{target}@{self.domain}"
        self.remote_target = self.request_uri  # becomes the 2xx's Contact: in-dialog requests go there
        self.call_id = f"{secrets.token_hex(10)}@{_bracket(local_host)}"
        self.from_tag = secrets.token_hex(6)
        self.cseq = 1
        self.to_tag: str | None = None
        self.invite_key: Key = ("", "INVITE")
        self.invite_cseq = 1
        self.invite_final: SipMessage | None = None
        self.proceeding = False  # a 1xx arrived for the current INVITE (a CANCEL may be sent)
        self.times: dict[str, float] = {}
        self.sdp_answer: str | None = None
        self.remote_bye = False
        self.acks: dict[str, bytes] = {}  # INVITE branch → the ACK of its final response (resent on retransmission)
        self.finals: dict[Key, SipMessage] = {}
        self._waiting: set[Key] = set()
        self._stop: dict[Key, asyncio.Event] = {}
        self._timers: set[asyncio.Task[None]] = set()

    # ---- messages ----------------------------------------------------------------------------------------

    def request(self, method: str, *, branch: str, cseq: int, uri: str, to_tag: str | None = None,
                headers: tuple[tuple[str, str], ...] = (), body: bytes = b"",
                content_type: str = "application/sdp") -> bytes:
        """Render a request of this call."""
        transport = "TCP" if self.channel.reliable else "UDP"
        to = f"<sip:{self.target}@{self.domain}>" + (f";tag={to_tag}" if to_tag else "")
        lines = [f"{method} {uri} SIP/2.0",
                 f"Via: SIP/2.0/{transport} {_bracket(self.channel.local[0])}:{self.channel.local[1]}"
                 f";branch={branch};rport",
                 "Max-Forwards: 70", f"From: <sip:{self.user}@{self.domain}>;tag={self.from_tag}", f"To: {to}",
                 f"Call-ID: {self.call_id}", f"CSeq: {cseq} {method}", f"User-Agent: {USER_AGENT}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if body:
            lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def contact(self) -> tuple[str, str]:
        params = ";transport=tcp" if self.channel.reliable else ""
        return ("Contact", f"<sip:{self.user}@{_bracket(self.channel.local[0])}:{self.channel.local[1]}{params}>")

    def respond(self, request: SipMessage, status: int, reason: str) -> None:
        """Answer a request from the listener (it sends none today; a BYE would end the call)."""
        lines = [f"SIP/2.0 {status} {reason}"] + [f"Via: {via}" for via in request.get_all("via")]
        lines += [f"{name}: {request.get(name.lower()) or ''}" for name in ("From", "To", "Call-ID", "CSeq")]
        self.channel.send(("\r\n".join([*lines, "Content-Length: 0"]) + "\r\n\r\n").encode())

    # ---- sending with retransmission ---------------------------------------------------------------------

    def send(self, data: bytes, key: Key) -> None:
        """Send a request; over UDP resend it (Timer A for INVITE, E otherwise) until `key` is stopped."""
        self.channel.send(data)
        if self.channel.reliable:
            return
        stop = self._stop[key] = asyncio.Event()
        task = asyncio.create_task(self._resend(data, stop, cap=None if key[1] == "INVITE" else T2))
        self._timers.add(task)
        task.add_done_callback(self._timers.discard)

    async def _resend(self, data: bytes, stop: asyncio.Event, cap: float | None) -> None:
        interval = T1
        while True:
            try:
                await within(stop.wait(), interval)
                return
            except TimeoutError:
                self.channel.send(data)
            interval = 2 * interval if cap is None else min(2 * interval, cap)

    def stop(self, key: Key) -> None:
        event = self._stop.pop(key, None)
        if event is not None:
            event.set()

    async def close(self) -> None:
        timers = list(self._timers)
        for task in timers:
            task.cancel()
        await asyncio.gather(*timers, return_exceptions=True)
        await self.channel.close()

    # ---- receiving ---------------------------------------------------------------------------------------

    async def until(self, done: Callable[[], bool], deadline: float) -> bool:
        """Handle incoming messages until `done()` or the monotonic deadline; whether done."""
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            message = await self.channel.recv(left)
            if message is not None:
                self.dispatch(message)
        return True

    def dispatch(self, message: SipMessage) -> None:
        if message.is_request:
            self._on_request(message)
            return
        try:
            branch = parse_via(message.get("via") or "").branch or ""
            _, method = parse_cseq(message.get("cseq") or "")
        except SipParseError:
            return
        status = message.status or 0
        if method == "INVITE":
            self._on_invite_response(message, branch, status)
        elif (branch, method) in self._waiting and status >= 200:
            self._waiting.discard((branch, method))
            self.finals[(branch, method)] = message
            self.stop((branch, method))

    def _on_request(self, message: SipMessage) -> None:
        if message.method == "ACK":
            return
        if message.method == "BYE" and (message.get("call-id") or "").strip() == self.call_id:
            self.remote_bye = True
            self.respond(message, 200, "OK")
        else:
            self.respond(message, 501, "Not Implemented")

    def _on_invite_response(self, message: SipMessage, branch: str, status: int) -> None:
        if branch in self.acks:
            if status >= 200:
                self.channel.send(self.acks[branch])  # the final came again: our ACK was lost (§17.1.1.2)
            return
        if not branch or branch != self.invite_key[0]:
            return
        now = time.monotonic()
        self.stop(self.invite_key)  # any response ends Timer A
        if status < 200:
            self.proceeding = True
            self.times.setdefault("provisional", now)
            if status in (180, 183):
                self.times.setdefault("ringing", now)
            return
        cseq = self.invite_cseq
        if status < 300:
            self.times["answered"] = now
            self.to_tag = _tag(message.get("to"))
            with contextlib.suppress(SipParseError):
                self.remote_target = parse_name_addr(message.get("contact") or "").uri
            self.sdp_answer = message.body.decode("utf-8", errors="replace") or None
            # The ACK of a 2xx is its own transaction, sent to the remote target (§13.2.2.4).
            ack = self.request("ACK", branch=_branch(), cseq=cseq, uri=self.remote_target, to_tag=self.to_tag)
            self.times["acked"] = time.monotonic()
        else:
            # The ACK of a non-2xx belongs to the INVITE transaction: same branch and request-URI (§17.1.1.3).
            ack = self.request("ACK", branch=branch, cseq=cseq, uri=self.request_uri, to_tag=_tag(message.get("to")))
        self.acks[branch] = ack
        self.channel.send(ack)
        self.invite_final = message

    # ---- transactions ------------------------------------------------------------------------------------

    def invite(self, authorization: tuple[str, str] | None) -> None:
        branch = _branch()
        self.invite_key, self.invite_final, self.proceeding = (branch, "INVITE"), None, False
        self.invite_cseq = self.cseq
        headers: tuple[tuple[str, str], ...] = (self.contact(), ("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"))
        headers += (authorization,) if authorization else ()
        body, content_type = _sdp_offer(self.local_host, self.media_port), "application/sdp"
        if self.location is not None:
            body, content_type, geolocation = _with_location(body, self.location, self.local_host)
            headers += (("Geolocation", geolocation),)
        data = self.request("INVITE", branch=branch, cseq=self.cseq, uri=self.request_uri, headers=headers,
                            body=body, content_type=content_type)
        self.times.setdefault("invite_sent", time.monotonic())
        self.send(data, self.invite_key)

    def cancel(self) -> Key:
        """CANCEL the pending INVITE: same branch, request-URI, Call-ID and CSeq number (§9.1)."""
        key = (self.invite_key[0], "CANCEL")
        self._waiting.add(key)
        self.send(self.request("CANCEL", branch=key[0], cseq=self.cseq, uri=self.request_uri), key)
        return key

    async def transact(self, method: str, timeout_s: float, *, uri: str | None = None, to_tag: str | None = None,
                       headers: tuple[tuple[str, str], ...] = ()) -> SipMessage | None:
        """A non-INVITE request with a new CSeq; its final response or None on timeout."""
        self.cseq += 1
        key = (_branch(), method)
        self._waiting.add(key)
        self.send(self.request(method, branch=key[0], cseq=self.cseq, uri=uri or self.request_uri, to_tag=to_tag,
                               headers=headers), key)
        await self.until(lambda: key in self.finals, time.monotonic() + timeout_s)
        self.stop(key)
        return self.finals.get(key)
