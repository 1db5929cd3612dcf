"""Voice calls through the voice process's parts: ringing latency, mouth-to-ear, and 16 calls at once beside sipp.

Cases (interleaved rounds, `bench/harness.py`):
- `ringing`: a raw SIP INVITE → the `voice.call_ringing` event committed in the database (target < 500 ms).
- `mouth_to_ear`: a marker tone from an RTP "terminal" → heard by an aiortc "browser", and back (target < 300 ms).
- `load_bridge`: 12 SOS + 4 trunk (102) calls at once, G.711 both ways, recorded; loss, late, jitter at the bridge
  and what the terminals get back. `load_sipp_echo`: the same senders against `sipp -rtp_echo` (the machine's RTP
  capacity without any media work), the baseline. `load_bridge_own_clocks`: `load_bridge` with a timer per call
  (the design before one media clock for all calls), in the same rounds.

`python bench/voice_calls.py` runs the short default (2 rounds, 4 s of media); `--full` 3 rounds, 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import multiprocessing
import secrets
import socket
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import av
import harness
import numpy as np
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select

from qorgau.audit.service import Actor
from qorgau.core.aio import within
from qorgau.core.bus import Context
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.crypto import configure_keyring, load_keyring
from qorgau.core.db import Database
from qorgau.core.migrate import upgrade
from qorgau.devices import service as device_service
from qorgau.devices.schemas import DeviceCreate
from qorgau.ingest.adapters.sip import sdp
from qorgau.ingest.adapters.sip.adapter import SipAdapter
from qorgau.ingest.adapters.sip.config import SipConfig
from qorgau.ingest.directory import Directory
from qorgau.ingest.hub import IngestHub
from qorgau.ingest.metrics import IngestMetrics
from qorgau.ingest.sink import Sink
from qorgau.protocols.sip.parser import parse, parse_name_addr
from qorgau.settings import load_settings
from qorgau.voice.bridge import g711, rtp
from qorgau.voice.bridge.call import MediaClock
from qorgau.voice.bridge.host import Bridge
from qorgau.voice.bridge.rtp import PortPool
from qorgau.voice.bridge.trunk import TrunkHooks

SOS, TRUNK_CALLS = 12, 4
ACTOR = Actor(ref="system:bench", name="bench", source="bench")
MARKER_HZ = 1000.0


def free_udp() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Endpoint(asyncio.DatagramProtocol):
    """A UDP socket with an inbox (SIP or RTP)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[bytes, float]] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.queue.put_nowait((data, time.perf_counter()))


async def endpoint() -> tuple[Endpoint, int]:
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_datagram_endpoint(Endpoint, local_addr=("127.0.0.1", 0))
    return proto, int(transport.get_extra_info("sockname")[1])


async def call(sip_port: int, user: str) -> tuple[Endpoint, Endpoint, tuple[str, int], Any]:
    """INVITE (PCMU offer) → 200 → ACK; the SIP and RTP endpoints, the far media address, and the BYE sender."""
    sig, sig_port = await endpoint()
    media, media_port = await endpoint()
    call_id, branch = secrets.token_hex(8), "z9hG4bK" + secrets.token_hex(6)
    body = (f"v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            f"m=audio {media_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")

    def req(method: str, cseq: int, to_tag: str = "", content: str = "") -> bytes:
        to = f"<sip:sos@127.0.0.1:{sip_port}>" + (f";tag={to_tag}" if to_tag else "")
        head = (f"{method} sip:sos@127.0.0.1:{sip_port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{sig_port};"
                f"branch={branch}{cseq};rport\r\nFrom: <sip:{user}@127.0.0.1:{sig_port}>;tag=b{call_id[:6]}\r\n"
                f"To: {to}\r\nCall-ID: {call_id}\r\nCSeq: {cseq} {method}\r\nMax-Forwards: 70\r\n"
                f"Contact: <sip:{user}@127.0.0.1:{sig_port}>\r\n")
        if content:
            head += "Content-Type: application/sdp\r\n"
        return f"{head}Content-Length: {len(content)}\r\n\r\n{content}".encode()

    assert sig.transport is not None
    sig.transport.sendto(req("INVITE", 1, content=body), ("127.0.0.1", sip_port))
    while True:
        data, _ = await within(sig.queue.get(), 15)
        message = parse(data)
        if (message.status or 0) >= 200:
            break
    if message.status != 200:
        raise RuntimeError(f"call refused: {message.status}")
    tag = parse_name_addr(message.get("to") or "").tag or ""
    sig.transport.sendto(req("ACK", 1, tag), ("127.0.0.1", sip_port))
    answer = sdp.parse_offer(message.body)
    assert answer is not None

    def bye() -> None:
        assert sig.transport is not None
        sig.transport.sendto(req("BYE", 2, tag), ("127.0.0.1", sip_port))
    return sig, media, ("127.0.0.1", answer.port), bye


class Stack:
    """Database, SIP listener with the bridge, and the trunk, in this process (as `qorgau voice run` has them)."""

    def __init__(self, folder: Path) -> None:
        self.settings = load_settings(data_dir=folder, database_url=None)
        upgrade(self.settings.effective_database_url)
        configure_keyring(load_keyring(self.settings))  # a 102 caller's number is stored encrypted
        self.db = Database(self.settings.effective_database_url)
        with self.db.unit_of_work() as session:
            for n in range(SOS):
                device_service.create(session, device_in=DeviceCreate.model_validate({
                    "code": f"SOS-B{n:03d}", "kind": "sos_terminal", "name_kk": "SOS", "name_ru": "SOS",
                    "lon": 53.0, "lat": 51.1, "lifecycle": "commissioned",
                    "identifiers": {"sip_user": f"8{n:03d}"}}), actor=ACTOR, ctx=Context.system("bench"))

    async def start(self) -> None:
        registry = CollectorRegistry()
        self.directory = Directory(self.db, refresh_s=0.5)
        metrics = IngestMetrics(registry)
        self.sink = Sink(self.db, self.directory, metrics)
        hub = IngestHub(settings=self.settings, db=self.db, directory=self.directory, sink=self.sink, metrics=metrics)
        await self.directory.start()
        self.sink.start()
        self.bridge = Bridge(self.db, PortPool(46000, 46998), self.settings.voice_recordings_dir)
        config = SipConfig(host="127.0.0.1", port=0, max_messages_per_s=1000)
        self.sip = SipAdapter(config, hooks=self.bridge)
        await self.sip.start(hub)
        hooks = TrunkHooks(self.bridge)
        self.trunk = SipAdapter(config, hooks=hooks, uas=lambda h, c, k: hooks.make_uas(
            h, c, k, hosts=frozenset({"127.0.0.1"})))
        await self.trunk.start(hub)

    async def stop(self) -> None:
        await self.trunk.stop()
        await self.sip.stop()
        await self.bridge.stop()
        await asyncio.to_thread(self.sink.stop)
        await self.directory.stop()

    def ringing_events(self) -> int:
        with self.db.reading() as session:
            return int(session.scalar(select(func.count()).where(OutboxEvent.name == "voice.call_ringing")) or 0)


def pcm_frame(freq: float, index: int, amplitude: int) -> np.ndarray[Any, Any]:
    t = (np.arange(160) + index * 160) / 8000
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def marker_energy(samples: np.ndarray[Any, Any], rate: int) -> float:
    """Share of a frame's energy near the marker frequency."""
    data = samples.astype(np.float64)
    power = np.abs(np.fft.rfft(data * np.hanning(len(data)))) ** 2
    freqs = np.fft.rfftfreq(len(data), 1 / rate)
    total = power[freqs > 100].sum()
    return float(power[np.abs(freqs - MARKER_HZ) < 120].sum() / total) if total > 1e6 else 0.0


async def ringing(stack: Stack, samples: int) -> dict[str, Any]:
    """INVITE → voice.call_ringing committed, one call after another."""
    latencies = []
    for n in range(samples):
        before = await asyncio.to_thread(stack.ringing_events)
        started = time.perf_counter()

        def committed(before: int = before) -> float:
            while stack.ringing_events() <= before:
                time.sleep(0.002)
            return time.perf_counter()

        seen = asyncio.create_task(asyncio.to_thread(committed))
        sig, media, _, bye = await call(stack.sip.port, f"8{n % SOS:03d}")
        latencies.append((await within(seen, 15) - started) * 1000)
        bye()
        await asyncio.sleep(0.1)
        for ep in (sig, media):
            assert ep.transport is not None
            ep.transport.close()
    return {"calls": samples} | harness.percentiles(latencies)


class MarkerTrack(MediaStreamTrack):
    """The operator's microphone: silence, or the marker tone while `on` (48 kHz, paced in real time)."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.tone_on = False
        self.first_tone: float | None = None
        self._pts = 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        wait = self._start + self._pts / 48000 - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        t = (np.arange(960) + self._pts) / 48000
        level = 8000 if self.tone_on else 0
        if self.tone_on and self.first_tone is None:
            self.first_tone = time.perf_counter()
        frame = av.AudioFrame.from_ndarray((level * np.sin(2 * np.pi * MARKER_HZ * t)).astype(np.int16)
                                           .reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = 48000, self._pts, fractions.Fraction(1, 48000)
        self._pts += 960
        return frame


async def mouth_to_ear(stack: Stack, markers: int) -> dict[str, Any]:
    """Marker tones terminal → browser and browser → terminal through one bridged call."""
    sig, media, far, bye = await call(stack.sip.port, "8000")
    assert media.transport is not None
    record = next(iter(stack.bridge.calls))
    pc, track = RTCPeerConnection(), MarkerTrack()
    pc.addTrack(track)
    heard_at: list[float] = []

    async def listen(remote: MediaStreamTrack) -> None:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=8000)
        while True:
            frame = await remote.recv()
            assert isinstance(frame, av.AudioFrame)
            for out in resampler.resample(frame):
                if marker_energy(out.to_ndarray().reshape(-1), 8000) > 0.5:
                    heard_at.append(time.perf_counter())

    tasks: list[asyncio.Task[Any]] = []
    pc.on("track", lambda remote: tasks.append(asyncio.create_task(listen(remote))))
    await pc.setLocalDescription(await pc.createOffer())
    _, answer = await stack.bridge.attach(record, 1, pc.localDescription.sdp)
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    to_browser: list[float] = []
    to_terminal: list[float] = []
    seq, ssrc, index = 0, 4242, 0
    try:
        async def send(seconds: float, tone: bool) -> float | None:
            nonlocal seq, index
            assert media.transport is not None
            first = None
            loop = asyncio.get_running_loop()
            start = loop.time()
            for n in range(int(seconds / 0.02)):
                await asyncio.sleep(max(0.0, start + n * 0.02 - loop.time()))
                pcm = pcm_frame(MARKER_HZ, index, 8000 if tone else 0)
                media.transport.sendto(rtp.build(0, seq, seq * 160, ssrc, g711.encode(pcm, 0)), far)
                if tone and first is None:
                    first = time.perf_counter()
                seq, index = seq + 1, index + 1
            return first

        await send(2.0, False)  # ICE, DTLS and both jitter buffers settle
        for _ in range(markers):
            heard_at.clear()
            sent = await send(0.3, True)
            await send(0.7, False)
            if sent is not None and heard_at:
                to_browser.append((heard_at[0] - sent) * 1000)
            while not media.queue.empty():
                media.queue.get_nowait()
            track.first_tone, track.tone_on = None, True
            arrived = None
            deadline = time.perf_counter() + 1.0
            while time.perf_counter() < deadline and arrived is None:
                try:
                    data, at = await within(media.queue.get(), 0.2)
                except TimeoutError:
                    continue
                packet = rtp.parse(data)
                if packet is not None and marker_energy(g711.decode(packet.payload, 0), 8000) > 0.5:
                    arrived = at
            track.tone_on = False
            if arrived is not None and track.first_tone is not None:
                to_terminal.append((arrived - track.first_tone) * 1000)
            await asyncio.sleep(0.5)
    finally:
        for task in tasks:
            task.cancel()
        await pc.close()
        bye()
        await asyncio.sleep(0.2)
        for ep in (sig, media):
            assert ep.transport is not None
            ep.transport.close()
    out: dict[str, Any] = {"markers": markers, "heard_to_browser": len(to_browser),
                           "heard_to_terminal": len(to_terminal)}
    out |= {f"to_browser_{k}": v for k, v in harness.percentiles(to_browser).items()}
    out |= {f"to_terminal_{k}": v for k, v in harness.percentiles(to_terminal).items()}
    return out


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0  # utime + stime in clock ticks (100 Hz)


async def load(targets: list[tuple[int, str]], seconds: float, *, cpu_pid: int) -> dict[str, Any]:
    """All `targets` (SIP port, user) called at once; G.711 both ways for `seconds`."""
    calls = await asyncio.gather(*(call(port, user) for port, user in targets))
    arrivals: list[list[tuple[float, int]]] = [[] for _ in calls]
    loop = asyncio.get_running_loop()
    window: list[float] = []

    async def drain(i: int, ep: Endpoint) -> None:
        while True:
            data, at = await ep.queue.get()
            packet = rtp.parse(data)
            if packet is not None and window and window[0] <= at:
                arrivals[i].append((at, packet.timestamp))

    drains = [asyncio.create_task(drain(i, media)) for i, (_, media, _, _) in enumerate(calls)]
    payload = g711.encode(pcm_frame(440.0, 0, 6000), 0)
    await asyncio.sleep(0.5)
    cpu_before, started = cpu_seconds(cpu_pid), loop.time()
    window.append(time.perf_counter() + 0.5)  # the first half-second fills the jitter buffers: not counted
    late_sends = 0
    frames = int(seconds / 0.02)
    for n in range(frames):
        delay = started + n * 0.02 - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.02:
            late_sends += 1
        for i, (_, media, far, _) in enumerate(calls):
            assert media.transport is not None
            media.transport.sendto(rtp.build(0, n, n * 160, 1000 + i, payload), far)
    window.append(time.perf_counter())
    cpu = cpu_seconds(cpu_pid) - cpu_before
    await asyncio.sleep(0.3)
    for task in drains:
        task.cancel()
    for _sig, _media, _far, bye in calls:
        bye()
    await asyncio.sleep(0.5)
    for sig, media, _, _ in calls:
        for ep in (sig, media):
            assert ep.transport is not None
            ep.transport.close()
    span = window[1] - window[0]
    expected = span / 0.02
    received = [sum(1 for at, _ in a if at <= window[1]) for a in arrivals]
    jitter = [_jitter(a) for a in arrivals]
    out = {"calls": len(calls), "seconds": seconds, "sent_per_call": frames, "sender_late_frames": late_sends,
           "rx_back_per_s": round(sum(received) / span, 1),
           "back_loss_pct": round(100 * max(0.0, 1 - statistics.mean(received) / expected), 2),
           "back_jitter_ms_max": round(max(jitter), 2), "back_jitter_ms_mean": round(statistics.mean(jitter), 2),
           "cpu_pct": round(100 * cpu / (loop.time() - started), 1)}
    return out


def _jitter(arrivals: list[tuple[float, int]]) -> float:
    """RFC 3550 interarrival jitter in ms over the packets received."""
    value, previous = 0.0, None
    for at, stamp in arrivals:
        transit = at * 1000 - stamp / 8
        if previous is not None:
            value += (abs(transit - previous) - value) / 16
        previous = transit
    return value


def sipp_uas(count: int) -> tuple[subprocess.Popen[bytes], int]:
    port, media = free_udp(), free_udp() & ~1
    process = subprocess.Popen(["sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", str(port), "-mp", str(media),
                                "-rtp_echo", "-nostdin", "-m", str(count), "-bind_local"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return process, port


def load_process(targets: list[tuple[int, str]], seconds: float, cpu_pid: int) -> dict[str, Any]:
    """`load` in a process of its own: the terminals must not share the bridge's event loop or the GIL."""
    return asyncio.run(load(targets, seconds, cpu_pid=cpu_pid))


async def in_child(targets: list[tuple[int, str]], seconds: float, cpu_pid: int,
                   bridge: Bridge | None = None) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    last: list[Any] = []
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        done = loop.run_in_executor(pool, load_process, targets, seconds, cpu_pid)
        while not done.done():
            if bridge is not None and (snapshot := bridge.snapshots()):
                last = snapshot  # the counters near the end, before the terminals hang up
            await asyncio.sleep(0.25)
        out = await done
    if last:
        out |= {"bridge_rx": sum(m.rx_packets for m in last), "bridge_lost": sum(m.lost for m in last),
                "bridge_late": sum(m.late for m in last), "bridge_jitter_ms_max": max(m.jitter_ms for m in last)}
    return out


async def round_bridge(stack: Stack, seconds: float, *, shared_clock: bool = True) -> dict[str, Any]:
    # The calls of this round run on one media clock for all (the design), or a timer each (the one before).
    stack.bridge.clock = MediaClock() if shared_clock else None
    targets = [(stack.sip.port, f"8{n:03d}") for n in range(SOS)]
    targets += [(stack.trunk.port, f"+7701555{n:04d}") for n in range(TRUNK_CALLS)]
    return await in_child(targets, seconds, os_pid(), stack.bridge)


async def round_sipp(seconds: float) -> dict[str, Any]:
    process, port = sipp_uas(SOS + TRUNK_CALLS)
    try:
        users = [f"8{n:03d}" for n in range(SOS + TRUNK_CALLS)]
        return await in_child([(port, u) for u in users], seconds, process.pid)
    finally:
        process.terminate()
        process.wait(5)


def os_pid() -> int:
    import os

    return os.getpid()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="3 rounds, 10 s of media, more samples")
    args = parser.parse_args()
    rounds, seconds, samples, markers = (3, 10.0, 20, 10) if args.full else (2, 4.0, 6, 4)
    run = harness.Run("voice_calls")
    with tempfile.TemporaryDirectory(prefix="qorgau-voice-bench-") as folder:
        stack = Stack(Path(folder))
        loop = asyncio.new_event_loop()
        loop.run_until_complete(stack.start())
        try:
            results = harness.interleave({
                "ringing": lambda r: loop.run_until_complete(ringing(stack, samples)),
                "mouth_to_ear": lambda r: loop.run_until_complete(mouth_to_ear(stack, markers)),
                "load_sipp_echo": lambda r: loop.run_until_complete(round_sipp(seconds)),
                "load_bridge": lambda r: loop.run_until_complete(round_bridge(stack, seconds)),
                "load_bridge_own_clocks": lambda r: loop.run_until_complete(
                    round_bridge(stack, seconds, shared_clock=False)),
            }, rounds=rounds)
        finally:
            loop.run_until_complete(stack.stop())
            loop.close()
    cases = harness.summarise({"load_sipp_echo": results["load_sipp_echo"], "load_bridge": results["load_bridge"],
                               "load_bridge_own_clocks": results["load_bridge_own_clocks"]},
                              baseline="load_sipp_echo", metric="rx_back_per_s")
    cases["ringing"] = {"rounds": results["ringing"], "median": harness.median_figures(results["ringing"])}
    cases["mouth_to_ear"] = {"rounds": results["mouth_to_ear"],
                             "median": harness.median_figures(results["mouth_to_ear"])}
    ring, m2e = cases["ringing"]["median"], cases["mouth_to_ear"]["median"]
    bridge, echo = cases["load_bridge"]["median"], cases["load_sipp_echo"]["median"]
    worst_m2e = max(m2e.get("to_browser_p95_ms", float("inf")), m2e.get("to_terminal_p95_ms", float("inf")))
    rows = [
        harness.readme_row("`bench/voice_calls.py`: SIP INVITE → `voice.call_ringing` committed (p95)",
                           result=harness.ms(ring["p95_ms"]), baseline="—", target="< 500 ms",
                           met=ring["p95_ms"] < 500),
        harness.readme_row("`bench/voice_calls.py`: mouth-to-ear through the bridge, marker tone (worse way, p95)",
                           result=harness.ms(worst_m2e), baseline="—", target="< 300 ms", met=worst_m2e < 300),
        harness.readme_row(
            "`bench/voice_calls.py`: 12 SOS + 4 102 calls at once, G.711 both ways, recorded: loss back",
            result=f"{bridge['back_loss_pct']} % lost, {bridge['bridge_lost']:.0f} lost / "
                   f"{bridge['bridge_late']:.0f} late at the bridge, CPU {bridge['cpu_pct']} %",
            baseline=f"sipp -rtp_echo: {echo['back_loss_pct']} % lost, CPU {echo['cpu_pct']} %",
            target="< 1 % lost", met=bridge["back_loss_pct"] < 1),
    ]
    harness.write_result("voice_calls", run.finish(cases=cases, readme=rows, rounds=rounds),
                         notes="In-process stack (SIP listener, bridge with recorder, trunk) on SQLite; the "
                               "terminals are raw RTP senders in a process of their own; the mouth-to-ear browser is "
                               "aiortc (its own jitter buffer included). The baseline echoes the same senders' "
                               "RTP with sipp (no decoding, no mixing, no recording).")
    print((harness.RESULTS / "voice_calls.md").read_text())


if __name__ == "__main__":
    main()
