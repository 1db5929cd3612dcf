"""The SIP user agent client of a simulated SOS terminal: one call per button press (RFC 3261 UAC subset).

It speaks to the listener only over the wire; the message parser and TCP framer are the project's SIP codec.
Network trouble and timeouts never raise: they come back as the `error` of the result.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from qorgau.core.aio import within
from qorgau.ingest.adapters.sip.parser import (
    MAX_MESSAGE,
    Framer,
    SipMessage,
    SipParseError,
    parse,
    parse_cseq,
    parse_name_addr,
    parse_via,
)

log = logging.getLogger(__name__)

T1 = 0.5  # RFC 3261 §17: round-trip estimate, the first UDP retransmission interval
T2 = 4.0  # longest retransmission interval of a non-INVITE request
TARGET = "sos"  # the number the button dials; the listener ignores the request-URI user
USER_AGENT = "Qorgau-Simulator-SOS/1"
MAX_AUTH_ATTEMPTS = 2  # once with fresh credentials, once more only for a stale nonce
_DIGEST_PARAM = re.compile(r'([A-Za-z][\w-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]+)')

Transport = Literal["udp", "tcp"]
Key = tuple[str, str]  # a client transaction: (branch, method)


@dataclass(frozen=True, slots=True)
class CallResult:
    """How one call went: final INVITE status, monotonic timings (time.monotonic), flags and any error."""

    call_id: str
    transport: Transport
    status: int | None = None  # final response to the (last) INVITE; None when none came
    reason: str | None = None
    invite_sent: float | None = None
    provisional: float | None = None  # first 1xx (100 or 180)
    ringing: float | None = None  # first 180/183
    answered: float | None = None  # 2xx received
    acked: float | None = None  # ACK of the 2xx sent
    bye_sent: float | None = None
    ended: float | None = None  # the call was over for the terminal (BYE answered, final failure or error)
    bye_status: int | None = None
    cancel_status: int | None = None
    authenticated: bool = False  # credentials were sent and not refused
    cancelled: bool = False  # CANCEL sent and the INVITE ended 487
    remote_bye: bool = False  # the far end hung up first
    sdp_answer: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Answered and hung up cleanly."""
        return self.status is not None and 200 <= self.status < 300 and self.error is None


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, queue: asyncio.Queue[SipMessage | OSError]) -> None:
        self.queue = queue

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        with contextlib.suppress(SipParseError):  # a broken datagram is as good as lost: retransmissions cover it
            self.queue.put_nowait(parse(data))

    def error_received(self, exc: Exception) -> None:
        # On a connected UDP socket an ICMP port-unreachable surfaces here: nobody listens, stop waiting.
        self.queue.put_nowait(exc if isinstance(exc, OSError) else OSError(str(exc)))


class _Channel:
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


async def _open(transport: Transport, host: str, port: int, local_host: str) -> _Channel:
    """A connected UDP socket, or one TCP connection per call (messages framed by Content-Length)."""
    queue: asyncio.Queue[SipMessage | OSError] = asyncio.Queue()
    if transport == "udp":
        udp, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: _Datagrams(queue), local_addr=(local_host, 0), remote_addr=(host, port))
        name = udp.get_extra_info("sockname")
        return _Channel(reliable=False, local=(str(name[0]), int(name[1])), send=udp.sendto, queue=queue, udp=udp)
    reader, writer = await asyncio.open_connection(host, port, local_addr=(local_host, 0), limit=MAX_MESSAGE)
    name = writer.get_extra_info("sockname")
    task = asyncio.create_task(_read_stream(reader, queue))
    return _Channel(reliable=True, local=(str(name[0]), int(name[1])), send=writer.write, queue=queue,
                    writer=writer, reader_task=task)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def digest_authorization(challenge: str, *, method: str, uri: str, username: str, password: str,
                         cnonce: str | None = None, nc: int = 1) -> str:
    """The Authorization value answering a `Digest` challenge (RFC 2617 MD5, qop=auth when offered)."""
    scheme, _, rest = challenge.strip().partition(" ")
    if scheme.lower() != "digest":
        raise ValueError("not a Digest challenge")
    params = {name.lower(): value[1:-1].replace('\\"', '"') if value.startswith('"') else value
              for name, value in _DIGEST_PARAM.findall(rest)}
    if "nonce" not in params:
        raise ValueError("challenge without nonce")
    if params.get("algorithm", "MD5").upper() != "MD5":
        raise ValueError("unsupported digest algorithm")
    realm, nonce = params.get("realm", ""), params["nonce"]
    ha1, ha2 = _md5(f"{username}:{realm}:{password}"), _md5(f"{method}:{uri}")
    qops = [qop.strip().lower() for qop in params.get("qop", "").split(",") if qop.strip()]
    fields = [f'username="{username}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"']
    if "auth" in qops:
        cnonce, count = cnonce or secrets.token_hex(8), f"{nc:08x}"
        fields += [f'response="{_md5(f"{ha1}:{nonce}:{count}:{cnonce}:auth:{ha2}")}"', "algorithm=MD5",
                   f'cnonce="{cnonce}"', "qop=auth", f"nc={count}"]
    elif qops:
        raise ValueError("only auth-int offered")
    else:
        fields += [f'response="{_md5(f"{ha1}:{nonce}:{ha2}")}"', "algorithm=MD5"]  # RFC 2069 form
    if "opaque" in params:
        fields.append(f'opaque="{params["opaque"]}"')
    return "Digest " + ", ".join(fields)


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _tag(value: str | None) -> str | None:
    try:
        return parse_name_addr(value or "").tag
    except SipParseError:
        return None


def _branch() -> str:
    return f"z9hG4bK{secrets.token_hex(8)}"  # the magic cookie marks an RFC 3261 branch (§8.1.1.7)


def _sdp_offer(host: str) -> bytes:
    # The terminal's media end: an even RTP port it announces but, with no audio to play, never opens.
    session, port = secrets.randbelow(10**9), 16384 + 2 * secrets.randbelow(8000)
    family = "IP6" if ":" in host else "IP4"
    return (f"v=0\r\no=- {session} {session} IN {family} {host}\r\ns=SOS\r\nc=IN {family} {host}\r\nt=0 0\r\n"
            f"m=audio {port} RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\n"
            "a=sendrecv\r\n").encode()


class _Uac:
    """Client transactions and the one dialog of a call, driven by the messages the channel delivers."""

    def __init__(self, channel: _Channel, *, host: str, port: int, user: str, local_host: str,
                 domain: str | None) -> None:
        self.channel = channel
        self.user = user
        self.local_host = local_host
        self.domain = domain or f"{_bracket(host)}:{port}"
        self.request_uri = f"sip:{TARGET}@{self.domain}"
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
                headers: tuple[tuple[str, str], ...] = (), body: bytes = b"") -> bytes:
        """Render a request of this call."""
        transport = "TCP" if self.channel.reliable else "UDP"
        to = f"<sip:{TARGET}@{self.domain}>" + (f";tag={to_tag}" if to_tag else "")
        lines = [f"{method} {uri} SIP/2.0",
                 f"Via: SIP/2.0/{transport} {_bracket(self.channel.local[0])}:{self.channel.local[1]}"
                 f";branch={branch};rport",
                 "Max-Forwards: 70", f"From: <sip:{self.user}@{self.domain}>;tag={self.from_tag}", f"To: {to}",
                 f"Call-ID: {self.call_id}", f"CSeq: {cseq} {method}", f"User-Agent: {USER_AGENT}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if body:
            lines.append("Content-Type: application/sdp")
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
        data = self.request("INVITE", branch=branch, cseq=self.cseq, uri=self.request_uri, headers=headers,
                            body=_sdp_offer(self.local_host))
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


@dataclass(slots=True)
class _Outcome:
    """What `_call` learns, frozen into a CallResult at the end."""

    status: int | None = None
    reason: str | None = None
    bye_status: int | None = None
    cancel_status: int | None = None
    authenticated: bool = False
    cancelled: bool = False
    remote_bye: bool = False
    error: str | None = None


async def _call(uac: _Uac, out: _Outcome, *, password: str | None, auth_user: str, hold_s: float,
                cancel_after_s: float | None, timeout_s: float) -> None:
    """The call: INVITE (again with digest when challenged), then CANCEL or hold and BYE."""
    authorization: tuple[str, str] | None = None
    cancel: Key | None = None
    cancel_at = None if cancel_after_s is None else time.monotonic() + cancel_after_s
    for attempt in range(MAX_AUTH_ATTEMPTS + 1):
        uac.invite(authorization)
        deadline = time.monotonic() + timeout_s
        if cancel_at is not None and cancel is None:
            await uac.until(lambda: uac.invite_final is not None, min(cancel_at, deadline))
            # No CANCEL before a provisional response (§9.1): it could overtake the INVITE.
            await uac.until(lambda: uac.invite_final is not None or uac.proceeding, deadline)
            if uac.invite_final is None and uac.proceeding:
                cancel = uac.cancel()
        await uac.until(lambda: uac.invite_final is not None, deadline)
        final = uac.invite_final
        if final is None:
            if uac.proceeding and cancel is None:
                uac.cancel()  # sent once, unanswered: the listener should not ring on for nobody
            out.error = f"no final response to INVITE within {timeout_s:g} s"
            return
        out.status, out.reason = final.status, final.reason
        if out.status not in (401, 407):
            out.authenticated = authorization is not None
            break
        if password is None or attempt == MAX_AUTH_ATTEMPTS:
            break
        header = final.get("www-authenticate" if out.status == 401 else "proxy-authenticate") or ""
        if authorization is not None and "stale=true" not in header.lower().replace(" ", ""):
            break  # our credentials were refused, not merely out of date
        try:
            value = digest_authorization(header, method="INVITE", uri=uac.request_uri, username=auth_user,
                                         password=password)
        except ValueError as exc:
            out.error = f"cannot answer the challenge: {exc}"
            return
        authorization = ("Authorization" if out.status == 401 else "Proxy-Authorization", value)
        uac.cseq += 1  # the new INVITE of the same call (§22.2)
    status = out.status or 0
    if status in (401, 407):
        out.error = "authentication required" if password is None else "authentication rejected"
    if cancel is not None:
        key = cancel
        await uac.until(lambda: key in uac.finals, time.monotonic() + timeout_s)
        response = uac.finals.get(key)
        out.cancel_status = response.status if response is not None else None
        out.cancelled = status == 487
    if not 200 <= status < 300:
        return
    if cancel is None:
        # Hold the call; retransmitted 200s are ACKed again meanwhile, and the far end may hang up.
        await uac.until(lambda: uac.remote_bye, time.monotonic() + hold_s)
    if uac.remote_bye:
        out.remote_bye = True
        return
    uac.times["bye_sent"] = time.monotonic()
    bye = await uac.transact("BYE", timeout_s, uri=uac.remote_target, to_tag=uac.to_tag)
    out.bye_status = bye.status if bye is not None else None
    if bye is None:
        out.error = f"no response to BYE within {timeout_s:g} s"


async def place_call(host: str, port: int, *, user: str, local_host: str = "127.0.0.1", transport: Transport = "udp",
                     hold_s: float = 5.0, password: str | None = None, cancel_after_s: float | None = None,
                     timeout_s: float = 10.0, domain: str | None = None, auth_user: str | None = None) -> CallResult:
    """Press the SOS button: call the listener as terminal `user`; network trouble comes back as `error`."""
    out = _Outcome()
    uac: _Uac | None = None
    try:
        channel = await within(_open(transport, host, port, local_host), timeout_s)
        uac = _Uac(channel, host=host, port=port, user=user, local_host=local_host, domain=domain)
        await _call(uac, out, password=password, auth_user=auth_user or user, hold_s=hold_s,
                    cancel_after_s=cancel_after_s, timeout_s=timeout_s)
    except TimeoutError:
        out.error = f"no connection within {timeout_s:g} s"
    except OSError as exc:
        out.error = f"{type(exc).__name__}: {exc.strerror or exc}"
    finally:
        if uac is not None:
            await uac.close()  # also when the task is cancelled: no socket outlives the call
    times = uac.times if uac is not None else {}
    result = CallResult(
        call_id=uac.call_id if uac is not None else "", transport=transport, status=out.status, reason=out.reason,
        invite_sent=times.get("invite_sent"), provisional=times.get("provisional"), ringing=times.get("ringing"),
        answered=times.get("answered"), acked=times.get("acked"), bye_sent=times.get("bye_sent"),
        ended=time.monotonic(), bye_status=out.bye_status, cancel_status=out.cancel_status,
        authenticated=out.authenticated, cancelled=out.cancelled, remote_bye=out.remote_bye,
        sdp_answer=uac.sdp_answer if uac is not None else None, error=out.error)
    log.debug("SIP call finished", extra={"status": result.status, "transport": transport, "error": result.error})
    return result


async def options_ping(host: str, port: int, *, user: str, transport: Transport = "udp", timeout_s: float = 5.0,
                       local_host: str = "127.0.0.1") -> int | None:
    """OPTIONS to the listener (a terminal's keep-alive): the response status, or None when none came."""
    uac: _Uac | None = None
    try:
        channel = await within(_open(transport, host, port, local_host), timeout_s)
        uac = _Uac(channel, host=host, port=port, user=user, local_host=local_host, domain=None)
        response = await uac.transact("OPTIONS", timeout_s, headers=(uac.contact(), ("Accept", "application/sdp")))
        return response.status if response is not None else None
    except (TimeoutError, OSError):
        return None
    finally:
        if uac is not None:
            await uac.close()
