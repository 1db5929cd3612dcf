"""The bridge as the SIP UAS's hooks: each call's media and recording, reported to the voice domain's records."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy.orm import Session

from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.ingest.adapters.sip import sdp
from qorgau.ingest.adapters.sip.adapter import SipAdapter
from qorgau.ingest.adapters.sip.dialogs import FINAL_STATES, Call
from qorgau.ingest.adapters.sip.outgoing import WILDCARD
from qorgau.ingest.adapters.sip.sdp import CODECS
from qorgau.voice import service
from qorgau.voice.bridge.call import MediaCall, MediaClock
from qorgau.voice.bridge.leg import BrowserLeg
from qorgau.voice.bridge.opus import OpusCodec
from qorgau.voice.bridge.recorder import CallRecorder
from qorgau.voice.bridge.rtp import PortPool
from qorgau.voice.bridge.srtp import SrtpStreams
from qorgau.voice.bridge.uac import RING_TIMEOUT_S, CallFailed, Dialer, Dialog, Target, Uac, hop_of
from qorgau.voice.control import BridgeError, CallMedia, MediaState
from qorgau.voice.enums import CallKind, EndReason

log = logging.getLogger(__name__)
T = TypeVar("T")

# Why the UAS ended a call (`Call.end_reason`) as the voice domain counts it.
END_REASONS = {"bye": EndReason.CALLER_HUNG_UP, "cancel": EndReason.CALLER_HUNG_UP,
               "hangup": EndReason.OPERATOR_HUNG_UP, "no_common_codec": EndReason.REFUSED,
               "no_common_crypto": EndReason.REFUSED,
               "no_media_port": EndReason.REFUSED, "no_ack": EndReason.DROPPED, "shutdown": EndReason.DROPPED,
               "not_recorded": EndReason.FAILED}


@dataclass
class Entry:
    """A call the bridge holds: the UAS's dialog, its media, and how to hang it up."""

    sip: Call | None  # None for a call we placed (a callback)
    media: MediaCall
    hangup: Callable[[str], bool] | None = None


class Bridge:
    """Implements the UAS's CallHooks; the control API acts on it by VoiceCall id."""

    def __init__(self, db: Database, pool: PortPool, recordings: Path, *,
                 hangup: Callable[[str], bool] | None = None, no_rtp_after_s: float = 3.0,
                 registry: CollectorRegistry | None = None, shared_clock: bool = True) -> None:
        self.db = db
        self.pool = pool
        self.recordings = recordings
        self.hangup_sip = hangup  # the UAS's hang-up, set once the listener runs
        self.no_rtp_after_s = no_rtp_after_s
        # One media clock for all calls (ADR 0045, measured); None gives each call its own timer as before.
        self.clock: MediaClock | None = MediaClock() if shared_clock else None
        self.problems = Counter("qorgau_voice_media_problems_total", "Media faults seen on voice calls.",
                                ["problem"], registry=registry if registry is not None else CollectorRegistry())
        self._reported: dict[tuple[int, str], int] = {}
        self.calls: dict[int, Entry] = {}
        self._by_sip: dict[str, int] = {}
        # One writer thread: a call's records commit in the order they happened (offered before ended).
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voice-db")
        self._tasks: set[asyncio.Task[Any]] = set()
        self.dialers: dict[str, Dialer] = {}  # "terminals" and "trunk": where callbacks leave from
        self.contacts: dict[str, tuple[str, tuple[str, int]]] = {}  # device code: its last call's Contact, address

    async def _db(self, work: Callable[[Session], T]) -> T:
        def run() -> T:
            with self.db.unit_of_work() as session:
                return work(session)
        return await asyncio.get_running_loop().run_in_executor(self._writer, run)

    def _later(self, work: Callable[[Session], object], what: str) -> None:
        async def run() -> None:
            try:
                await self._db(work)
            except Exception:
                log.exception("voice record failed", extra={"what": what})
        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- the UAS's hooks -----------------------------------------------------------------------------------

    async def offered(self, call: Call, *, kind: CallKind = CallKind.SOS, caller: str | None = None,
                      location: tuple[float, float] | None = None,
                      hangup: Callable[[str], bool] | None = None) -> int | None:
        """Bind the media ports and record the call as ringing on the desks."""
        if kind is CallKind.SOS:  # where to call the terminal back: its Contact, at the address it called from
            contact = call.invite.request.get("contact") or ""
            uri = contact[contact.find("<") + 1:contact.find(">")] if "<" in contact else contact.split(";")[0]
            uri = uri.strip() or f"sip:{call.device.code}@{call.peer.address[0]}"
            # Callbacks go over UDP: to the address it called from (NAT), unless it called over TCP.
            address = call.peer.address if call.peer.transport == "udp" else hop_of(uri, call.peer.address)
            self.contacts[call.device.code.upper()] = (uri, address)
        taken = self.pool.take()
        if taken is None:
            return None
        port, rtp_sock, rtcp_sock = taken
        offer = call.offer
        pt = offer.codec() if offer is not None else 0
        pt = 0 if pt is None else pt
        name = (offer.codec_name(pt) if offer else None) or "PCMU"
        remote = (offer.address, offer.port) if offer is not None and offer.address else None
        crypto = offer.srtp() if offer is not None and offer.secure else None
        try:
            record = await self._db(lambda s: service.offered(
                s, sip_call_id=call.call_id, kind=kind, device_code=_device(call, kind), caller=caller,
                location=location, codec=name, at=call.started_at).id)
        except Exception:
            log.exception("voice call could not be recorded", extra={"device": call.device.code})
            rtp_sock.close()
            rtcp_sock.close()
            self.pool.give(port)
            return None
        media = MediaCall(call_id=record, sip_call_id=call.call_id, port=port, sockets=(rtp_sock, rtcp_sock),
                          codec_pt=pt, law=8 if name == "PCMA" else 0, dtmf_pt=offer.dtmf() if offer else None,
                          remote=remote, on_problem=self._problem, on_media=self._media_started,
                          no_rtp_after_s=self.no_rtp_after_s, clock=self.clock,
                          srtp=SrtpStreams(crypto, call.srtp_key) if crypto is not None else None,
                          opus=OpusCodec() if name == sdp.OPUS else None)
        await media.open()
        self.calls[record] = Entry(call, media, hangup)
        self._by_sip[call.call_id] = record
        if call.state in FINAL_STATES:
            self.ended(call)  # cancelled while its record was committing: end it now, nothing left behind
            return None
        return port

    def answered(self, call: Call) -> None:
        """ACK: the media clock and the recording start."""
        record = self._by_sip.get(call.call_id)
        if record is None:
            return
        media = self.calls[record].media
        if media.remote is None and call.offer is not None and call.offer.address:
            media.remote = (call.offer.address, call.offer.port)  # the offer came in the ACK
        self._start(media, call.answered_at or utcnow(), call.device.code)

    def _start(self, media: MediaCall, started: datetime, device: str) -> None:
        relative = f"{started:%Y/%m/%d}/call-{media.call_id}-{secrets.token_hex(4)}.ogg"
        try:
            recorder: CallRecorder | None = CallRecorder(self.recordings, relative, started_at=started, tags={
                "call_id": str(media.call_id), "device": device, "codec": media.codec})
        except Exception:
            log.exception("voice recording could not start", extra={"call_id": media.call_id})
            recorder = None
        media.start(recorder)

    def ended(self, call: Call, *, kind: CallKind = CallKind.SOS, caller: str | None = None) -> None:
        """The call is over: close media and recording, record why."""
        reason = END_REASONS.get(call.end_reason or "", EndReason.DROPPED)
        record = self._by_sip.pop(call.call_id, None)
        if record is None:
            if reason is EndReason.REFUSED:
                self._refused(call, kind, caller)
            return
        self._end(record, reason, call.ended_at or utcnow())

    def _end(self, record: int, reason: EndReason, at: datetime) -> None:
        entry = self.calls.pop(record)
        task = asyncio.create_task(self._close(entry, reason, at))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _close(self, entry: Entry, reason: EndReason, at: datetime) -> None:
        media = entry.media
        await media.close()
        self.pool.give(media.port)
        recording = await asyncio.to_thread(media.recorder.close) if media.recorder is not None else None
        problems = {name: count for name, count in media.counters.problems.model_dump().items() if count}
        for name, count in problems.items():  # the final totals, past the last one reported
            self.problems.labels(name).inc(count - self._reported.pop((media.call_id, name), 0))

        def finish(session: Session) -> None:
            for name, count in problems.items():
                service.media_problem(session, call_id=media.call_id, problem=name, count=count)
            if recording is not None:
                service.recording_stored(session, call_id=media.call_id, path=recording.path,
                                         sha256=recording.sha256, duration_s=recording.duration_s,
                                         media_type=recording.media_type, size=recording.size)
            service.ended(session, call_id=media.call_id, reason=reason, at=at)
        await self._db(finish)

    def _refused(self, call: Call, kind: CallKind, caller: str | None) -> None:
        # Refused before any media (no codec the bridge can handle): still on record, with the reason counted.
        def work(session: Session) -> None:
            record = service.offered(session, sip_call_id=call.call_id, kind=kind,
                                     device_code=_device(call, kind), caller=caller, location=None, codec=None,
                                     at=call.started_at)
            if call.end_reason != "no_common_crypto":  # a codec we lack; a cipher we lack is the end reason alone
                service.media_problem(session, call_id=record.id, problem="bad_codec", count=1)
            service.ended(session, call_id=record.id, reason=EndReason.REFUSED, at=call.ended_at or utcnow())
        self._later(work, "refused")

    def _problem(self, media: MediaCall, problem: str, count: int) -> None:
        # The call reports running totals (the first, then every hundredth): the metric counts each fault once.
        self.problems.labels(problem).inc(count - self._reported.get((media.call_id, problem), 0))
        self._reported[(media.call_id, problem)] = count
        log.info("voice media problem", extra={"call_id": media.call_id, "problem": problem, "count": count})
        self._later(lambda s: service.media_problem(s, call_id=media.call_id, problem=problem, count=count),
                    "problem")

    def _media_started(self, media: MediaCall) -> None:
        at = utcnow()
        self._later(lambda s: service.media_started(s, call_id=media.call_id, at=at), "media_started")

    # ---- the control API's operations ----------------------------------------------------------------------

    def media(self, call_id: int) -> MediaCall:
        entry = self.calls.get(call_id)
        if entry is None:
            raise BridgeError(404, "voice.not_found")
        return entry.media

    async def attach(self, call_id: int, operator_id: int, sdp: str) -> tuple[str, str]:
        media = self.media(call_id)
        if media.state is MediaState.ENDED:
            raise BridgeError(409, "voice.not_bridgeable")
        leg = BrowserLeg(operator_id)
        try:
            answer = await leg.answer(sdp)
        except Exception as exc:
            await leg.close()
            raise BridgeError(400, "voice.bad_sdp", type(exc).__name__) from exc

        @leg.pc.on("connectionstatechange")
        async def _state() -> None:
            # Failed (ICE lost) or closed by the browser; our own detach clears media.leg before closing.
            if leg.pc.connectionState in ("failed", "closed") and media.leg is leg:
                await media.detach()  # the browser vanished without leaving: the call waits on hold
                self._later(lambda s: service.leg_closed(s, call_id=call_id, leg_id=leg.id, at=utcnow()),
                            "leg_closed")

        await media.attach(leg)
        return leg.id, answer

    async def detach(self, leg_id: str) -> None:
        for entry in self.calls.values():
            if entry.media.leg is not None and entry.media.leg.id == leg_id:
                await entry.media.detach()
                return
        raise BridgeError(404, "voice.leg_not_found")

    def hangup(self, call_id: int) -> CallMedia:
        media = self.media(call_id)
        snapshot = media.snapshot()
        hangup = self.calls[call_id].hangup or self.hangup_sip
        if hangup is None or not hangup(media.sip_call_id):
            raise BridgeError(404, "voice.not_found")
        return snapshot.model_copy(update={"state": MediaState.ENDED, "leg_id": None})

    # ---- callbacks: calls we place ---------------------------------------------------------------------------

    def dial_from(self, name: str, adapter: SipAdapter, *, proxy: tuple[str, int] | None = None,
                  credentials: tuple[str, str] | None = None, ring_timeout_s: float = RING_TIMEOUT_S) -> Uac:
        """Let callbacks leave from a started listener's socket: "terminals" (SOS) or "trunk" (102 callers)."""
        if adapter.uas is None:
            raise RuntimeError("the SIP listener is not started")
        host = self.pool.host if adapter.config.host in WILDCARD else adapter.config.host
        uac = Uac(adapter.sendto, (host, adapter.port), t1_s=adapter.config.t1_s, ring_timeout_s=ring_timeout_s,
                  on_ended=self._outgoing_ended)
        adapter.uas.outgoing.client = uac
        self.dialers[name] = Dialer(uac, proxy, credentials)
        return uac

    def _target(self, device_code: str | None, number: str | None) -> tuple[Dialer, Target]:
        if number:
            dialer = self.dialers.get("trunk")
            if dialer is None or dialer.proxy is None:
                raise BridgeError(409, "voice.no_trunk")
            host, port = dialer.proxy
            return dialer, Target(f"sip:{number}@{host}:{port}", dialer.proxy, dialer.credentials)
        dialer = self.dialers.get("terminals")
        found = self.contacts.get((device_code or "").strip().upper())
        if dialer is None or found is None:
            raise BridgeError(409, "voice.no_contact")  # the terminal never called since the process started
        return dialer, Target(*found)

    async def callback(self, device_code: str | None, number: str | None, operator_id: int) -> int:
        """Call a terminal or a 102 caller back: a `callback` VoiceCall, ringing out until the far end answers."""
        dialer, target = self._target(device_code, number)
        taken = self.pool.take()
        if taken is None:
            raise BridgeError(503, "voice.no_media_port")
        port, rtp_sock, rtcp_sock = taken
        sip_call_id, at = f"{secrets.token_hex(12)}@qorgau", utcnow()
        try:
            record = await self._db(lambda s: service.offered(
                s, sip_call_id=sip_call_id, kind=CallKind.CALLBACK, device_code=None if number else device_code,
                caller=number or None, location=None, codec=None, at=at).id)
        except Exception as exc:
            rtp_sock.close()
            rtcp_sock.close()
            self.pool.give(port)
            raise BridgeError(503, "voice.not_recorded", type(exc).__name__) from exc
        media = MediaCall(call_id=record, sip_call_id=sip_call_id, port=port, sockets=(rtp_sock, rtcp_sock),
                          codec_pt=0, law=0, dtmf_pt=101, remote=None, on_problem=self._problem,
                          on_media=self._media_started, no_rtp_after_s=self.no_rtp_after_s, clock=self.clock)
        await media.open()
        self.calls[record] = Entry(None, media, dialer.uac.hangup)
        self._by_sip[sip_call_id] = record
        dialog = dialer.uac.place(target, sdp.offer(address=self.pool.host, port=port), call_id=sip_call_id)
        task = asyncio.create_task(self._dial(dialer.uac, dialog, media, device_code or "LINE-102"))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        log.info("voice callback placed", extra={"call_id": record, "operator_id": operator_id,
                                                 "to": "trunk" if number else device_code})
        return record

    async def _dial(self, uac: Uac, dialog: Dialog, media: MediaCall, device: str) -> None:
        try:
            answer = await uac.outcome(dialog)
        except CallFailed as exc:
            log.info("voice callback not connected", extra={"call_id": media.call_id, "reason": exc.reason,
                                                            "status": exc.status})
            record = self._by_sip.pop(dialog.call_id, None)
            if record is not None:
                reason = (EndReason.UNANSWERED if exc.reason == "unanswered" else EndReason.REFUSED
                          if exc.status in (486, 600, 603) else EndReason.FAILED)
                self._end(record, reason, utcnow())
            return
        offer = sdp.parse_offer(answer.body)
        pt = offer.codec() if offer is not None else None
        if offer is None or pt is None or not offer.address:
            record = self._by_sip.pop(dialog.call_id, None)  # first, so the hang-up below ends it as refused
            uac.hangup(dialog.call_id)
            if record is not None:
                self._end(record, EndReason.REFUSED, utcnow())
            return
        name = offer.rtpmap.get(pt, CODECS.get(pt, "PCMU")).split("/")[0].upper()
        media.codec_pt, media.law, media.dtmf_pt = pt, 8 if name == "PCMA" else 0, offer.dtmf()
        media.remote = (offer.address, offer.port)
        self._start(media, utcnow(), device)

    def _outgoing_ended(self, sip_call_id: str, reason: str) -> None:
        # The far end's BYE, or our hang-up (CANCEL or BYE) from the control API.
        record = self._by_sip.pop(sip_call_id, None)
        if record is not None and record in self.calls:
            self._end(record, EndReason.CALLER_HUNG_UP if reason == "bye" else EndReason.OPERATOR_HUNG_UP, utcnow())

    def snapshots(self) -> list[CallMedia]:
        return [entry.media.snapshot() for entry in self.calls.values()]

    async def stop(self) -> None:
        # The process is stopping: calls still up are dropped, their recordings kept and reported.
        for record, entry in list(self.calls.items()):
            del self.calls[record]
            self._by_sip.pop(entry.media.sip_call_id, None)
            try:
                await self._close(entry, EndReason.DROPPED, utcnow())
            except Exception:
                log.exception("voice call not closed cleanly", extra={"call_id": record})
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.clock is not None:
            await self.clock.stop()
        self._writer.shutdown(wait=True)


def _device(call: Call, kind: CallKind) -> str | None:
    return call.device.code if kind is CallKind.SOS else None
