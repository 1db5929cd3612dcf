"""Outgoing calls (a UAC, RFC 3261 §8.1, §13.2, §17.1.1): the operator's callback to a terminal or a 102 caller.

The INVITE leaves from the listener's own UDP socket, so the far end's responses and its BYE come back to the
listener, which hands them here (`Uas.client`). Over UDP the INVITE is resent at T1, 2·T1, … until a response
(timer A) and given up after 64·T1 (timer B); a challenge (401/407) is answered once with digest credentials.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from qorgau.core.aio import within
from qorgau.protocols.sip.digest import digest_authorization
from qorgau.protocols.sip.parser import SipMessage, SipParseError, parse_cseq, parse_name_addr
from qorgau.protocols.sip.render import request, response

log = logging.getLogger(__name__)
Send = Callable[[bytes, tuple[str, int]], None]
RING_TIMEOUT_S = 45.0  # nobody picks up at the terminal or the caller's phone: the operator is told


class CallFailed(Exception):
    """The outgoing call never connected; `reason` is a short word, `status` the final SIP status (0: none)."""

    def __init__(self, reason: str, status: int = 0) -> None:
        super().__init__(f"{reason} {status}")
        self.reason, self.status = reason, status


@dataclass(frozen=True)
class Target:
    """Whom to call: the Request-URI, the next hop the INVITE goes to, and credentials if that hop asks."""

    uri: str
    hop: tuple[str, int]
    credentials: tuple[str, str] | None = None  # (username, password) for a trunk's digest challenge


@dataclass
class Dialog:
    """One outgoing call, from our INVITE to the BYE either way."""

    call_id: str
    target: Target
    from_tag: str
    sdp: bytes
    cseq: int = 1
    branch: str = ""
    invite: bytes = b""
    to: str = ""  # the To header as the far end answered it (with its tag)
    remote: str = ""  # the far end's Contact: where in-dialog requests go
    routes: list[str] = field(default_factory=list)
    ack: bytes = b""
    state: str = "calling"  # calling, ringing, answered, cancelling, ended
    cancelled: str = "cancelled"  # why we cancel: the operator hung up, or nobody answered ("unanswered")
    responses: asyncio.Queue[SipMessage] = field(default_factory=asyncio.Queue)


def _branch() -> str:
    return "z9hG4bK" + secrets.token_hex(8)


def _uri_of(value: str) -> str:
    return value[value.find("<") + 1:value.find(">")] if "<" in value else value.split(";")[0].strip()


def hop_of(uri: str, fallback: tuple[str, int]) -> tuple[str, int]:
    """The host and port a SIP URI names (the next hop of an in-dialog request); `fallback` if it names none."""
    try:
        host, _, port = parse_name_addr(f"<{uri}>").host.partition(":")
    except SipParseError:
        return fallback
    return (host, int(port) if port.isdigit() else 5060) if host else fallback


class Uac:
    """Places outgoing calls from one listener's socket and keeps their dialogs."""

    def __init__(self, send: Send, local: tuple[str, int], *, t1_s: float = 0.5,
                 ring_timeout_s: float = RING_TIMEOUT_S, on_ended: Callable[[str, str], None] | None = None) -> None:
        self.send, self.local, self.t1_s, self.ring_timeout_s = send, local, t1_s, ring_timeout_s
        self.on_ended = on_ended  # (SIP Call-ID, reason): "bye" from the far end, "hangup" from us
        self.dialogs: dict[str, Dialog] = {}
        self._byes: dict[str, asyncio.Task[None]] = {}  # our BYEs resent until answered

    @property
    def _sent_by(self) -> str:
        host = f"[{self.local[0]}]" if ":" in self.local[0] else self.local[0]
        return f"{host}:{self.local[1]}"

    def _request(self, dialog: Dialog, method: str, uri: str, *, branch: str, cseq: int, to: str,
                 headers: list[tuple[str, str]] | None = None, body: bytes = b"") -> bytes:
        return request(method, uri, via=f"SIP/2.0/UDP {self._sent_by};branch={branch};rport",
                       from_=f"<sip:qorgau@{self._sent_by}>;tag={dialog.from_tag}", to=to, call_id=dialog.call_id,
                       cseq=cseq, headers=headers or [], body=body,
                       content_type="application/sdp" if body else None)

    def place(self, target: Target, sdp: bytes, *, call_id: str | None = None) -> Dialog:
        """Send the INVITE; `outcome` waits for the answer."""
        dialog = Dialog(call_id=call_id or f"{secrets.token_hex(12)}@qorgau", target=target,
                        from_tag=secrets.token_hex(6), sdp=sdp)
        self.dialogs[dialog.call_id] = dialog
        self._invite(dialog, [])
        return dialog

    def _invite(self, dialog: Dialog, extra: list[tuple[str, str]]) -> None:
        dialog.branch = _branch()
        headers = [("Contact", f"<sip:qorgau@{self._sent_by};transport=udp>"), *extra]
        dialog.invite = self._request(dialog, "INVITE", dialog.target.uri, branch=dialog.branch, cseq=dialog.cseq,
                                      to=f"<{dialog.target.uri}>", headers=headers, body=dialog.sdp)
        self.send(dialog.invite, dialog.target.hop)

    async def outcome(self, dialog: Dialog) -> SipMessage:
        """The far end's 2xx (acknowledged), or CallFailed with why; the dialog is forgotten on failure."""
        try:
            return await self._outcome(dialog)
        except CallFailed:
            self.dialogs.pop(dialog.call_id, None)
            raise

    async def _outcome(self, dialog: Dialog) -> SipMessage:
        loop = asyncio.get_running_loop()
        challenged, interval = False, self.t1_s
        deadline = loop.time() + 64 * self.t1_s  # timer B until something answers, then the ring timeout
        while True:
            if dialog.state == "cancelling":
                deadline = min(deadline, loop.time() + max(4 * self.t1_s, 1.0))  # the 487 to ACK, if it comes
            wait = min(interval, deadline - loop.time()) if dialog.state == "calling" else deadline - loop.time()
            if wait <= 0:
                if dialog.state == "cancelling":
                    raise CallFailed(dialog.cancelled)
                if dialog.state == "ringing":
                    dialog.state, dialog.cancelled = "cancelling", "unanswered"  # then the 487 is acknowledged
                    deadline = loop.time() + max(4 * self.t1_s, 1.0)
                    self._cancel(dialog)
                    continue
                raise CallFailed("timeout")
            try:
                reply = await within(dialog.responses.get(), wait)
            except TimeoutError:
                if dialog.state == "calling":
                    self.send(dialog.invite, dialog.target.hop)  # timer A
                    interval *= 2
                continue
            status = reply.status or 0
            if status < 200:
                if dialog.state == "calling":
                    dialog.state, deadline = "ringing", loop.time() + self.ring_timeout_s
                continue
            if status < 300:
                cancelled = dialog.state == "cancelling"
                self._answered(dialog, reply)
                if cancelled:  # it answered as our CANCEL crossed it: end it at once (§9.1)
                    self._bye(dialog)
                    raise CallFailed(dialog.cancelled)
                return reply
            self._ack_failure(dialog, reply)
            if dialog.state == "cancelling":
                raise CallFailed(dialog.cancelled, status)
            challenge = reply.get("www-authenticate" if status == 401 else "proxy-authenticate")
            if status in (401, 407) and challenge and dialog.target.credentials and not challenged:
                challenged, interval = True, self.t1_s
                user, password = dialog.target.credentials
                try:
                    value = digest_authorization(challenge, method="INVITE", uri=dialog.target.uri, username=user,
                                                 password=password)
                except ValueError as exc:
                    raise CallFailed("auth", status) from exc
                dialog.cseq += 1
                dialog.state, deadline = "calling", loop.time() + 64 * self.t1_s
                self._invite(dialog, [("Authorization" if status == 401 else "Proxy-Authorization", value)])
                continue
            raise CallFailed("rejected", status)

    def _ack_failure(self, dialog: Dialog, reply: SipMessage) -> None:
        # The ACK of a non-2xx final belongs to the INVITE's transaction: same branch, the response's To.
        self.send(self._request(dialog, "ACK", dialog.target.uri, branch=dialog.branch, cseq=dialog.cseq,
                                to=reply.get("to") or ""), dialog.target.hop)

    def _answered(self, dialog: Dialog, reply: SipMessage) -> None:
        dialog.state, dialog.to = "answered", reply.get("to") or ""
        dialog.remote = _uri_of(reply.get("contact") or "") or dialog.target.uri
        dialog.routes = list(reversed(reply.get_all("record-route")))  # the UAC's route set (§12.1.2)
        dialog.ack = self._in_dialog(dialog, "ACK", cseq=dialog.cseq)
        self._send_in_dialog(dialog, dialog.ack)

    def _in_dialog(self, dialog: Dialog, method: str, *, cseq: int) -> bytes:
        return self._request(dialog, method, dialog.remote, branch=_branch(), cseq=cseq, to=dialog.to,
                             headers=[("Route", route) for route in dialog.routes])

    def _send_in_dialog(self, dialog: Dialog, data: bytes) -> None:
        # Loose routing: the first Route is the next hop when there is one; else the far end's Contact.
        hop = hop_of(_uri_of(dialog.routes[0]) if dialog.routes else dialog.remote, dialog.target.hop)
        self.send(data, hop)

    def _cancel(self, dialog: Dialog) -> None:
        # CANCEL matches the INVITE: same branch, Request-URI, Call-ID, From, To and CSeq number (§9.1).
        self.send(self._request(dialog, "CANCEL", dialog.target.uri, branch=dialog.branch, cseq=dialog.cseq,
                                to=f"<{dialog.target.uri}>"), dialog.target.hop)

    def hangup(self, call_id: str) -> bool:
        """We end the call: CANCEL while it rings, BYE once answered (False when there is no such call)."""
        dialog = self.dialogs.get(call_id)
        if dialog is None or dialog.state in ("cancelling", "ended"):
            return False
        if dialog.state == "answered":
            del self.dialogs[call_id]
            self._bye(dialog)
        else:
            dialog.state = "cancelling"  # kept until its final response is acknowledged
            self._cancel(dialog)
        self._ended(call_id, "hangup")
        return True

    def _bye(self, dialog: Dialog) -> None:
        dialog.cseq += 1
        bye = self._in_dialog(dialog, "BYE", cseq=dialog.cseq)
        self._send_in_dialog(dialog, bye)
        self._spawn_resend(dialog, bye)
        dialog.state = "ended"

    def _spawn_resend(self, dialog: Dialog, data: bytes) -> None:
        async def again() -> None:
            interval = self.t1_s
            for _ in range(6):  # timer E over UDP until the far end's response to our BYE
                await asyncio.sleep(interval)
                self._send_in_dialog(dialog, data)
                interval = min(2 * interval, 4.0)
        task = asyncio.get_running_loop().create_task(again())
        self._byes[dialog.call_id] = task
        task.add_done_callback(lambda _t: self._byes.pop(dialog.call_id, None))

    def _ended(self, call_id: str, reason: str) -> None:
        if self.on_ended is not None:
            self.on_ended(call_id, reason)

    # ---- what the listener hands over -----------------------------------------------------------------------

    def response(self, message: SipMessage) -> bool:
        """A response to one of our INVITEs (True); a repeated 2xx is acknowledged again."""
        call_id = message.get("call-id") or ""
        dialog = self.dialogs.get(call_id)
        if dialog is None:
            bye = self._byes.get(call_id)
            if bye is not None and "BYE" in (message.get("cseq") or ""):
                bye.cancel()
            return bye is not None
        try:
            _, method = parse_cseq(message.get("cseq") or "")
        except SipParseError:
            return True
        if method != "INVITE":
            return True  # the 200 to our BYE or CANCEL: nothing more to do
        if dialog.state == "answered" and 200 <= (message.status or 0) < 300:
            self._send_in_dialog(dialog, dialog.ack)  # our ACK was lost (§13.2.2.4)
        else:
            dialog.responses.put_nowait(message)
        return True

    def request(self, message: SipMessage, reply: Callable[[bytes], None], source: tuple[str, int]) -> bool:
        """The far end's request in one of our dialogs (True): BYE ends the call, anything else is refused."""
        dialog = self.dialogs.get(message.get("call-id") or "")
        if dialog is None or message.method == "ACK":
            return dialog is not None
        if message.method != "BYE":
            reply(response(message, 501 if message.method != "INVITE" else 488, source=source))
            return True
        reply(response(message, 200, source=source))
        del self.dialogs[dialog.call_id]
        dialog.state = "ended"
        self._ended(dialog.call_id, "bye")
        return True

    def stop(self) -> None:
        for call_id in list(self.dialogs):
            with contextlib.suppress(Exception):
                self.hangup(call_id)
        for task in list(self._byes.values()):
            task.cancel()


@dataclass
class Dialer:
    """A listener's outgoing side: its UAC and, for the trunk, the exchange's proxy and our credentials there."""

    uac: Uac
    proxy: tuple[str, int] | None = None
    credentials: tuple[str, str] | None = None
