"""One call's media: RTP with the terminal, the jitter buffer, the 20 ms clock, hold tone, mute, leg and recorder."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from qorgau.voice.bridge import g711, rtp
from qorgau.voice.bridge.g711 import FRAME, PCM, RATE
from qorgau.voice.bridge.jitter import JitterBuffer
from qorgau.voice.bridge.leg import BrowserLeg
from qorgau.voice.bridge.opus import CLOCK, TIMESTAMP_STEP, OpusCodec
from qorgau.voice.bridge.recorder import CallRecorder
from qorgau.voice.bridge.srtp import SrtpRejected, SrtpStreams
from qorgau.voice.control import CallMedia, MediaState, Problems

log = logging.getLogger(__name__)
FRAME_S = FRAME / RATE
NO_RTP_AFTER_S = 3.0  # a terminal silent this long after the answer sends no media at all
FLOOD_PACKETS_PER_S = 150  # 50 is normal for 20 ms packets; three times that is not a phone
HOLD_TONE_HZ = 425.0  # the ITU-T E.180 comfort tone: 425 Hz, 0.4 s on, 0.4 s off
_SILENCE = np.zeros(FRAME, dtype=np.int16)

ProblemHook = Callable[["MediaCall", str, int], None]


def hold_tone(index: int) -> PCM:
    """Frame `index` of the hold tone (0.4 s on, 0.4 s off)."""
    if (index // 20) % 2:
        return _SILENCE
    t = (np.arange(FRAME) + index * FRAME) / RATE
    return (6000 * np.sin(2 * np.pi * HOLD_TONE_HZ * t)).astype(np.int16)


@dataclass
class Counters:
    rx: int = 0
    tx: int = 0
    problems: Problems = field(default_factory=Problems)


class _Endpoint(asyncio.DatagramProtocol):
    def __init__(self, on_datagram: Callable[[bytes, tuple[str, int]], None]) -> None:
        self.on_datagram = on_datagram
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if isinstance(transport, asyncio.DatagramTransport):
            self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.on_datagram(data, (str(addr[0]), int(addr[1])))


class MediaCall:
    """Media of one call, from the SIP answer to the hang-up."""

    def __init__(self, *, call_id: int, sip_call_id: str, port: int, sockets: tuple[socket.socket, socket.socket],
                 codec_pt: int, law: int, dtmf_pt: int | None, remote: tuple[str, int] | None,
                 on_problem: ProblemHook, on_media: Callable[[MediaCall], None] | None = None,
                 no_rtp_after_s: float = NO_RTP_AFTER_S, clock: MediaClock | None = None,
                 srtp: SrtpStreams | None = None, opus: OpusCodec | None = None) -> None:
        self.call_id, self.sip_call_id, self.port = call_id, sip_call_id, port
        self.codec_pt, self.law, self.dtmf_pt = codec_pt, law, dtmf_pt  # law: 0 µ-law, 8 A-law
        self._on_media = on_media
        self.srtp = srtp  # SDES-SRTP with the terminal, when it offered RTP/SAVP
        self.opus = opus  # Opus with the terminal (48 kHz RTP clock); None: G.711 in `law`
        self.no_rtp_after_s = no_rtp_after_s
        self.remote = remote  # where the SDP says to send; replaced by where RTP actually comes from
        self._latched = False
        self._sockets = sockets
        self._on_problem = on_problem
        self.state = MediaState.RINGING
        self.held = False
        self.muted = False
        self.leg: BrowserLeg | None = None
        self.recorder: CallRecorder | None = None
        self.jitter = JitterBuffer(clock_rate=CLOCK if opus is not None else RATE)
        self.counters = Counters()
        self.dtmf: list[str] = []
        self._dtmf_seen: set[int] = set()
        self._transports: list[asyncio.DatagramTransport] = []
        self._clock: asyncio.Task[None] | None = None
        self._shared = clock  # the process's one clock; None: a timer of its own (the earlier design, benchmarks)
        self._ticking = False
        self._ssrc = secrets.randbits(32)
        self._seq = secrets.randbits(16)
        self._ts = secrets.randbits(32)
        self._window_start = 0.0
        self._window_count = 0
        self._flooding = False
        self._tick = 0
        self._media_at: float | None = None
        self._first_rx: float | None = None
        self.on_tick: Callable[[PCM, PCM], None] | None = None  # a probe for tests and the benchmark

    @property
    def codec(self) -> str:
        return "opus" if self.opus is not None else g711.CODEC_NAMES[self.law]

    async def open(self) -> None:
        """Start receiving on the call's two ports (RTP, and the odd one where misdirected RTP is noticed)."""
        loop = asyncio.get_running_loop()
        rtp_sock, rtcp_sock = self._sockets
        transport, _ = await loop.create_datagram_endpoint(lambda: _Endpoint(self._rtp), sock=rtp_sock)
        odd, _ = await loop.create_datagram_endpoint(lambda: _Endpoint(self._odd), sock=rtcp_sock)
        self._transports = [transport, odd]

    def start(self, recorder: CallRecorder | None) -> None:
        """The call is answered (ACK): media flows both ways and the recording begins."""
        if self._clock is not None or self._ticking:
            return
        self.recorder = recorder
        self.state = MediaState.HELD if self.leg is None else MediaState.ACTIVE
        self._media_at = time.monotonic()
        if self._shared is not None:
            self._ticking = True
            self._shared.add(self)
        else:
            self._clock = asyncio.create_task(self._run())

    # ---- receiving -----------------------------------------------------------------------------------------

    def _problem(self, name: str) -> None:
        count = getattr(self.counters.problems, name) + 1
        setattr(self.counters.problems, name, count)
        if count == 1 or count % 100 == 0:  # the first, then every hundredth: a flood must not flood the log
            self._on_problem(self, name, count)

    def _rtp(self, data: bytes, source: tuple[str, int]) -> None:
        now = time.monotonic()
        if now - self._window_start >= 1.0:
            self._window_start, self._window_count, self._flooding = now, 0, False
        self._window_count += 1
        if self._window_count > FLOOD_PACKETS_PER_S:
            if not self._flooding:
                self._flooding = True
                self._problem("flood")
            return
        if self.srtp is not None and len(data) >= 12 and not 72 <= data[1] & 0x7F <= 76:  # SRTCP: not read
            try:
                data = self.srtp.unprotect(data)
            except SrtpRejected as exc:
                if not exc.replay:  # a duplicate is dropped quietly; a forged or tampered packet is a problem
                    self._problem("srtp_auth")
                return
        packet = rtp.parse(data)
        if packet is None:
            return
        if packet.pt == self.dtmf_pt:
            self._dtmf(packet)
            return
        if packet.pt != self.codec_pt:
            self._problem("bad_codec")
            return
        if not self._latched:
            self.remote, self._latched = source, True  # symmetric RTP: answer where it comes from (NAT)
        self.counters.rx += 1
        if self._first_rx is None:
            self._first_rx = now
            if self._on_media is not None:
                self._on_media(self)
        self.jitter.push(packet.seq, packet.timestamp, packet.payload, now)

    def _odd(self, data: bytes, source: tuple[str, int]) -> None:
        packet = rtp.parse(data)
        if packet is not None:
            self._problem("wrong_port")  # RTP sent to the RTCP port: a misconfigured terminal

    def _dtmf(self, packet: rtp.RtpPacket) -> None:
        event = rtp.dtmf(packet.payload)
        if event is None or not event.end or packet.timestamp in self._dtmf_seen:
            return  # the end packet is sent three times (RFC 4733 §2.5.1.4): count the key once
        self._dtmf_seen.add(packet.timestamp)
        self.dtmf.append(event.key)

    # ---- the clock -----------------------------------------------------------------------------------------

    def tick(self) -> None:
        """One step; a failing step is logged and the clock goes on."""
        try:
            self.step()
        except Exception:
            log.exception("voice media step failed", extra={"call_id": self.call_id})

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            next_at += FRAME_S
            self.tick()
            delay = next_at - loop.time()
            if delay < -0.2:
                next_at = loop.time()  # the loop stalled: restart the clock rather than burst
            await asyncio.sleep(max(0.0, delay))

    def step(self) -> None:
        """One 20 ms tick: terminal to browser and recorder, operator (or hold tone) to terminal."""
        self._tick += 1
        frame = self.jitter.pop()
        if self.opus is not None:
            heard = self.opus.decode(frame) if frame else _SILENCE
        else:
            heard = g711.decode(frame, self.law) if frame is not None and len(frame) == FRAME else _SILENCE
        if (self._media_at is not None and self._first_rx is None and self.counters.problems.no_rtp == 0
                and time.monotonic() - self._media_at > self.no_rtp_after_s):
            self._problem("no_rtp")
        leg = self.leg
        if leg is None or self.held:
            spoken, sent = _SILENCE, hold_tone(self._tick)
        else:
            leg.outgoing.push(heard)
            spoken = _SILENCE if self.muted else leg.pull()
            sent = spoken
        if self.recorder is not None:
            self.recorder.write(heard, spoken)
        if self.on_tick is not None:
            self.on_tick(heard, sent)
        self._send(self.opus.encode(sent) if self.opus is not None else g711.encode(sent, self.law))

    def _send(self, payload: bytes) -> None:
        if self.remote is None or not self._transports or self.remote[1] == 0 or not payload:
            return
        packet = rtp.build(self.codec_pt, self._seq, self._ts, self._ssrc, payload, marker=self.counters.tx == 0)
        self._transports[0].sendto(packet if self.srtp is None else self.srtp.protect(packet), self.remote)
        self._seq = (self._seq + 1) & 0xFFFF
        self._ts = (self._ts + (TIMESTAMP_STEP if self.opus is not None else FRAME)) & 0xFFFFFFFF
        self.counters.tx += 1

    # ---- control -------------------------------------------------------------------------------------------

    async def attach(self, leg: BrowserLeg) -> None:
        """A browser takes the call; an earlier one is closed (transfer or take-over)."""
        old, self.leg, self.held = self.leg, leg, False
        if self._clock is not None or self._ticking:
            self.state = MediaState.ACTIVE
        if old is not None:
            await old.close()

    async def detach(self) -> None:
        """The browser left: the terminal hears the hold tone until someone takes the call."""
        old, self.leg = self.leg, None
        if self.state is not MediaState.ENDED:
            self.state = MediaState.HELD
        if old is not None:
            await old.close()

    def hold(self, on: bool) -> None:
        self.held = on
        if self.state is not MediaState.ENDED:
            self.state = MediaState.HELD if on or self.leg is None else MediaState.ACTIVE

    async def close(self) -> None:
        """Stop the clock, the leg and the sockets (the recording is closed by the caller)."""
        self.state = MediaState.ENDED
        if self._shared is not None:
            self._shared.remove(self)
        if self._clock is not None:
            self._clock.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._clock
        await self.detach()
        self.state = MediaState.ENDED
        for transport in self._transports:
            transport.close()
        for sock in self._sockets:
            sock.close()

    def snapshot(self) -> CallMedia:
        stats = self.jitter.stats
        return CallMedia(call_id=self.call_id, sip_call_id=self.sip_call_id, state=self.state, codec=self.codec,
                         leg_id=self.leg.id if self.leg else None, held=self.held, muted=self.muted,
                         rx_packets=self.counters.rx, tx_packets=self.counters.tx, lost=stats.lost, late=stats.late,
                         jitter_ms=round(stats.jitter_ms, 2), problems=self.counters.problems.model_copy(),
                         dtmf="".join(self.dtmf))


class MediaClock:
    """One 20 ms clock stepping every call of the process: one timer wake-up per tick instead of one per call."""

    def __init__(self) -> None:
        self.calls: dict[int, MediaCall] = {}  # by id(), in the order they started
        self._task: asyncio.Task[None] | None = None

    def add(self, call: MediaCall) -> None:
        self.calls[id(call)] = call
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())

    def remove(self, call: MediaCall) -> None:
        self.calls.pop(id(call), None)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while self.calls:  # ends with the last call; the next call to start starts it again
            next_at += FRAME_S
            for call in list(self.calls.values()):
                call.tick()
            delay = next_at - loop.time()
            if delay < -0.2:
                next_at = loop.time()  # the loop stalled: restart the clock rather than burst
            await asyncio.sleep(max(0.0, delay))

    async def stop(self) -> None:
        self.calls.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
