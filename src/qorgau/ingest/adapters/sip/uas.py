"""The user agent server: what each request from an SOS terminal does (RFC 3261 §8.2, §13.3, §15, §9.2).

An INVITE from a registered terminal is an SOS: `call_started` is committed before the terminal hears ringing,
then the call is answered; the ACK records `call_answered`, and BYE, CANCEL or a missing ACK `call_ended`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import time
from collections.abc import Coroutine, Sequence
from typing import Any

from qorgau.core.time import utcnow
from qorgau.devices.enums import Protocol
from qorgau.ingest.adapters.sip import sdp
from qorgau.ingest.adapters.sip.config import SipConfig
from qorgau.ingest.adapters.sip.dialogs import Call, CallState, MediaPorts
from qorgau.ingest.adapters.sip.hooks import CallHooks
from qorgau.ingest.adapters.sip.limits import SourceRates
from qorgau.ingest.adapters.sip.outgoing import Outgoing, bye, local_host
from qorgau.ingest.adapters.sip.recorder import SosRecorder
from qorgau.ingest.adapters.sip.store import CallStore
from qorgau.ingest.adapters.sip.transactions import Peer, ServerTransaction, Transactions, key_of
from qorgau.ingest.directory import DeviceRef
from qorgau.ingest.hub import IngestHub
from qorgau.ingest.sink import Heartbeat
from qorgau.protocols.actions import SosAction
from qorgau.protocols.sip.digest import DigestAuth, parse_credentials
from qorgau.protocols.sip.parser import Envelope, SipMessage, SipParseError, envelope, parse
from qorgau.protocols.sip.render import ALLOW, can_answer, response

log = logging.getLogger(__name__)

NAME = "sip"
# Methods of other SIP extensions: understood as SIP, not allowed here (405); anything else is 501.
OTHER_METHODS = frozenset({"SUBSCRIBE", "NOTIFY", "REFER", "MESSAGE", "INFO", "UPDATE", "PRACK", "PUBLISH"})


class Uas:
    """Signalling state of the listener: transactions, calls, digest nonces, media ports, per-source rates."""

    def __init__(self, hub: IngestHub, config: SipConfig, hooks: CallHooks | None = None) -> None:
        self.hub = hub
        self.hooks = hooks  # a media bridge hosting this listener binds the media itself
        self.outgoing = Outgoing(config.t1_s, config.t2_s)
        self.config = config
        self.port = config.port
        self.transactions = Transactions(t1_s=config.t1_s, t2_s=config.t2_s, limit=config.max_transactions)
        self.calls: dict[str, Call] = {}
        self.auth = DigestAuth(config.realm, config.nonce_ttl_s)
        self.media = MediaPorts(config.media_port_min, config.media_port_max)
        self.store = CallStore(hub.db)
        self.rates = SourceRates(config.max_messages_per_s)
        self._tasks: set[asyncio.Task[Any]] = set()
        self.recorder = SosRecorder(hub, self._spawn, adapter=NAME)

    # ---- entry points -------------------------------------------------------------------------------------
    def allow(self, source: tuple[str, int]) -> bool:
        """Whether a message from `source` may be handled: one flooding source cannot crowd out the others."""
        if self.rates.take(source):
            return True
        self.hub.metrics.reject(NAME, "rate_limited")
        return False

    def datagram(self, data: bytes, peer: Peer) -> None:
        """One UDP datagram."""
        if not self.allow(peer.address) or not data.strip(b"\r\n \t"):
            return  # rate-limited, or a CRLF keep-alive (nothing to answer over UDP)
        try:
            message = parse(data)
        except SipParseError as exc:
            self.malformed(exc, peer)
            return
        self.handle(message, peer)

    def malformed(self, exc: SipParseError, peer: Peer) -> None:
        """Count and log a malformed message; answer 400 when the request is readable enough."""
        self.hub.metrics.reject(NAME, exc.reason)
        log.info("SIP message malformed", extra={"reason": exc.reason, "transport": peer.transport})
        if exc.partial is not None and can_answer(exc.partial):
            peer.send(response(exc.partial, 400, source=peer.address, to_tag=_tag()))

    def handle(self, message: SipMessage, peer: Peer) -> None:
        """One parsed message from `peer`."""
        if not message.is_request:
            if not self.outgoing.response(message):
                self.hub.metrics.reject(NAME, "unexpected_response")  # not to a request of ours
            return
        if self.outgoing.theirs(message, peer):
            return  # in a dialog of a call we placed (a callback)
        try:
            env = envelope(message)
        except SipParseError as exc:
            self.malformed(exc, peer)
            return
        if message.method == "ACK":
            self._ack(message, env)
            return
        key = key_of(message, env)
        existing = self.transactions.find(key)
        if existing is not None:
            if existing.last is not None:
                peer.send(existing.last)
            self.hub.metrics.accept(NAME, "retransmission")
            return
        if self.transactions.full:
            self.hub.metrics.reject(NAME, "overload")
            peer.send(response(message, 503, source=peer.address, to_tag=_tag(), headers=[("Retry-After", "5")]))
            return
        tx = self.transactions.open(key, message, env, peer)
        if not (message.uri or "").lower().startswith(("sip:", "sips:", "tel:")):
            self._reject(tx, 416, "bad_uri_scheme")
            return
        required = [tag for value in message.get_all("require") for tag in value.split(",") if tag.strip()]
        if required and message.method != "CANCEL":
            self._reject(tx, 420, "bad_extension", headers=[("Unsupported", ", ".join(t.strip() for t in required))])
            return
        handler = {"INVITE": self._invite, "CANCEL": self._cancel, "BYE": self._bye, "OPTIONS": self._options,
                   "REGISTER": self._register}.get(message.method or "")
        if handler is not None:
            handler(tx)
        elif message.method in OTHER_METHODS:
            self._reject(tx, 405, "method_not_allowed", headers=[("Allow", ALLOW)])
        else:
            self._reject(tx, 501, "not_implemented", headers=[("Allow", ALLOW)])

    async def stop(self) -> None:
        self.transactions.clear()
        self.outgoing.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for call in list(self.calls.values()):
            if call.state not in (CallState.ENDED, CallState.CANCELLED, CallState.FAILED, CallState.REJECTED):
                call.finish(CallState.FAILED, "shutdown")
                self.store.save(call)
        self.calls.clear()
        await self.store.stop()

    # ---- helpers -------------------------------------------------------------------------------------------
    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _respond(self, tx: ServerTransaction, status: int, *, to_tag: str | None = None,
                 headers: Sequence[tuple[str, str]] = (), body: bytes = b"", content_type: str | None = None) -> None:
        data = response(tx.request, status, source=tx.peer.address, to_tag=to_tag, headers=headers, body=body,
                        content_type=content_type)
        self.transactions.respond(tx, status, data)

    def _reject(self, tx: ServerTransaction, status: int, reason: str, headers: Sequence[tuple[str, str]] = ()) -> None:
        self.hub.metrics.reject(NAME, reason)
        log.info("SIP request refused", extra={"method": tx.method, "status": status, "reason": reason,
                                               "transport": tx.peer.transport})
        self._respond(tx, status, to_tag=_tag(), headers=headers)

    def _heartbeat(self, device: DeviceRef) -> None:
        try:
            self.hub.sink.submit([], heartbeats=[Heartbeat(device)])
        except RuntimeError:
            log.debug("heartbeat dropped: the ingest writer is stopped")

    def _contact(self, tx: ServerTransaction) -> tuple[str, str]:
        host = local_host(self.config.host, tx.request)
        host = f"[{host}]" if ":" in host else host
        return ("Contact", f"<sip:{host}:{self.port};transport={tx.peer.transport}>")

    def _identify(self, tx: ServerTransaction) -> tuple[DeviceRef, str] | None:
        """The terminal by its From user, else by the digest username; with the SIP user it was found by."""
        user = tx.env.from_.user
        device = self.hub.directory.find(Protocol.SIP, user) if user else None
        if device is not None and user is not None:
            return device, user
        header = tx.request.get("authorization")
        params = parse_credentials(header) if header else None
        name = params.get("username") if params else None
        device = self.hub.directory.find(Protocol.SIP, name) if name else None
        return (device, name) if device is not None and name is not None else None

    def _known(self, tx: ServerTransaction) -> tuple[DeviceRef, str] | None:
        found = self._identify(tx)
        if found is None:
            self._reject(tx, 403, "unknown_caller")
        return found

    def _authorised(self, tx: ServerTransaction, device: DeviceRef, user: str) -> bool:
        """Digest check for terminals with a password; sends the 401 challenge when it fails."""
        if not device.password:
            return True
        verdict = self.auth.check(tx.request.get("authorization"), method=tx.method, uri=tx.request.uri or "",
                                  username=device.username or user, password=device.password)
        if verdict.ok:
            return True
        self.hub.metrics.reject(NAME, verdict.reason)
        log.info("SIP digest challenge", extra={"device": device.code, "reason": verdict.reason})
        self._respond(tx, 401, to_tag=_tag(), headers=[("WWW-Authenticate", self.auth.challenge(stale=verdict.stale))])
        return False

    # ---- methods -------------------------------------------------------------------------------------------
    def _options(self, tx: ServerTransaction) -> None:
        found = self._known(tx)
        if found is None:
            return
        self._heartbeat(found[0])
        self.hub.metrics.accept(NAME, "heartbeat")
        self._respond(tx, 200, to_tag=_tag(), headers=[("Allow", ALLOW), ("Accept", "application/sdp"),
                                                       self._contact(tx)])

    def _register(self, tx: ServerTransaction) -> None:
        # Terminals that register are told it worked; calls never go to them, so no binding is kept.
        found = self._known(tx)
        if found is None or not self._authorised(tx, *found):
            return
        self._heartbeat(found[0])
        self.hub.metrics.accept(NAME, "heartbeat")
        expires = tx.request.get("expires") or "3600"
        seconds = min(int(expires), 3600) if expires.strip().isdigit() else 3600
        headers = [("Expires", str(seconds))]
        contact = tx.request.get("contact")
        if contact and contact.strip() != "*":
            headers.append(("Contact", f"{contact.split(';expires=')[0]};expires={seconds}"))
        self._respond(tx, 200, to_tag=_tag(), headers=headers)

    def _invite(self, tx: ServerTransaction) -> None:
        self._respond(tx, 100)  # at once: stops the terminal's INVITE retransmissions while the event commits
        env = tx.env
        if env.to.tag is not None:
            self._reinvite(tx)
            return
        if env.call_id in self.calls:
            self._reject(tx, 482, "merged_request")
            return
        found = self._known(tx)
        if found is None or not self._authorised(tx, *found):
            return
        device = found[0]
        if len(self.calls) >= self.config.max_calls:
            self._reject(tx, 503, "overload", headers=[("Retry-After", "5")])
            return
        content_type = (tx.request.get("content-type") or "application/sdp").split(";")[0].strip().lower()
        body = tx.request.body if content_type == "application/sdp" else b""
        call = Call(call_id=env.call_id, device=device, peer=tx.peer, invite=tx, from_tag=env.from_.tag, to_tag=_tag(),
                    offer=sdp.parse_offer(body) if body else None,
                    sdp_offer=body.decode("utf-8", errors="replace")[:4000] if body else None)
        call.media_host = self.config.media_host or local_host(self.config.host, tx.request)
        call.media_port = self.media.take() if self.hooks is None else None
        self.calls[call.call_id] = call
        tx.on_timeout = lambda: self._no_ack(call)
        log.info("SOS call from terminal", extra={"device": device.code, "transport": tx.peer.transport})
        started = self.recorder.emit(call, SosAction.CALL_STARTED)
        self._spawn(self._setup(call, started))

    async def _setup(self, call: Call, started: asyncio.Task[bool]) -> None:
        recorded = await started
        if call.state != CallState.SETUP:
            return  # cancelled while the event was committing
        if not recorded:
            # Not durable, so not acknowledged: the terminal will call again.
            call.finish(CallState.FAILED, "not_recorded")
            self._respond(call.invite, 500, to_tag=call.to_tag, headers=[("Retry-After", "5")])
            self._release(call)
            return
        self._respond(call.invite, 180, to_tag=call.to_tag, headers=[self._contact(call.invite)])
        call.state = CallState.RINGING
        self.store.save(call)
        if self.config.answer_after_s > 0:
            await asyncio.sleep(self.config.answer_after_s)
            if call.state != CallState.RINGING:
                return
        if self.hooks is not None and (call.offer is None or call.offer.refusal() is None):
            call.media_port = await self.hooks.offered(call)
            if call.state != CallState.RINGING:
                return
        self._answer(call)

    def _answer(self, call: Call) -> None:
        host, port = call.media_host or "127.0.0.1", call.media_port or 0
        if call.offer is None:
            body: bytes | None = sdp.offer(address=host, port=port)  # late offer: the terminal answers in ACK
        else:
            body = sdp.answer(call.offer, address=host, port=port, key=call.srtp_key)
            call.codec = call.offer.codec()
        if body is None or port == 0:
            reason = sdp.refusal(call.offer) if body is None else "no_media_port"
            self.hub.metrics.reject(NAME, reason)
            call.finish(CallState.REJECTED, reason)
            warning = [("Warning", '305 qorgau "Incompatible media format"')] if body is None else []
            self._respond(call.invite, 488 if body is None else 503, to_tag=call.to_tag, headers=warning)
            self._ended(call)
            return
        call.sdp_answer = body.decode()
        call.state = CallState.ANSWERING
        self._respond(call.invite, 200, to_tag=call.to_tag, body=body, content_type="application/sdp",
                      headers=[self._contact(call.invite), ("Allow", ALLOW)])
        self.store.save(call)

    def _reinvite(self, tx: ServerTransaction) -> None:
        call = self.calls.get(tx.env.call_id)
        if call is None or call.to_tag != tx.env.to.tag or call.state not in (CallState.ANSWERING,
                                                                                CallState.ANSWERED):
            self._reject(tx, 481, "no_dialog")
            return
        # A session refresh or hold: the media end does not move, so the same answer stands.
        self._heartbeat(call.device)
        self._respond(tx, 200, to_tag=call.to_tag, body=(call.sdp_answer or "").encode(),
                      content_type="application/sdp", headers=[self._contact(tx), ("Allow", ALLOW)])

    def _ack(self, message: SipMessage, env: Envelope) -> None:
        tx = self.transactions.invite(env.call_id, env.cseq)
        if tx is None:
            return  # a late or stray ACK: nothing to stop
        first = self.transactions.ack(tx)
        call = self.calls.get(env.call_id)
        if call is None:
            return
        self._heartbeat(call.device)
        if not first or call.invite is not tx or call.state != CallState.ANSWERING:
            return
        if call.offer is None and message.body:
            call.offer = sdp.parse_offer(message.body)
            call.codec = call.offer.codec() if call.offer else None
        call.state = CallState.ANSWERED
        call.answered_at, call.answered_mono = utcnow(), time.monotonic()
        self.recorder.emit(call, SosAction.CALL_ANSWERED, f"ring_s={call.ring_s}")
        self.store.save(call)
        if self.hooks is not None:
            self.hooks.answered(call)

    def _no_ack(self, call: Call) -> None:
        if call.state != CallState.ANSWERING:
            return
        self.hub.metrics.reject(NAME, "no_ack")
        log.info("SOS call failed: no ACK", extra={"device": call.device.code})
        call.finish(CallState.FAILED, "no_ack")
        self._ended(call)

    def _cancel(self, tx: ServerTransaction) -> None:
        invite = self.transactions.find((*tx.key[:-1], "INVITE"))
        if invite is None:
            self._reject(tx, 481, "no_transaction")
            return
        call = self.calls.get(tx.env.call_id)
        self._respond(tx, 200, to_tag=call.to_tag if call else _tag())
        if invite.final is not None:
            return  # too late: the INVITE was already answered
        self._respond(invite, 487, to_tag=call.to_tag if call else _tag())
        if call is not None and call.invite is invite and call.state in (CallState.SETUP, CallState.RINGING):
            call.finish(CallState.CANCELLED, "cancel")
            self._ended(call)

    def _bye(self, tx: ServerTransaction) -> None:
        call = self.calls.get(tx.env.call_id)
        # A dialog is its Call-ID and both tags (RFC 3261 §12): a BYE with the right Call-ID but another From
        # tag belongs to no call of ours.
        if call is None or tx.env.to.tag != call.to_tag or tx.env.from_.tag != call.from_tag:
            self._reject(tx, 481, "no_dialog")
            return
        self._respond(tx, 200)
        if call.state == CallState.ANSWERING:
            self.transactions.ack(call.invite)  # BYE before ACK: the 200 evidently arrived
        call.finish(CallState.ENDED, "bye")
        self._ended(call)

    def hangup(self, call_id: str) -> bool:
        """Qorgau ends the call: BYE once answered, 486 before (False when there is no such call)."""
        call = self.calls.get(call_id)
        if call is None:
            return False
        if call.state in (CallState.ANSWERING, CallState.ANSWERED):
            self.outgoing.send(call, *bye(call, local=(local_host(self.config.host, call.invite.request), self.port)))
        elif call.invite.final is None:
            self._respond(call.invite, 486, to_tag=call.to_tag)
        call.finish(CallState.ENDED, "hangup")
        self._ended(call)
        return True

    # ---- events and records --------------------------------------------------------------------------------
    def _ended(self, call: Call) -> None:
        detail = f"reason={call.end_reason} ring_s={call.ring_s} talk_s={call.talk_s}"
        self.recorder.emit(call, SosAction.CALL_ENDED, detail)
        self.store.save(call)
        self._release(call)

    def _release(self, call: Call) -> None:
        if self.hooks is not None:
            self.hooks.ended(call)
        else:
            self.media.give(call.media_port)
        if self.calls.get(call.call_id) is call:
            del self.calls[call.call_id]


_tag = functools.partial(secrets.token_hex, 6)

