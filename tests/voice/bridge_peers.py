"""Real peers of the voice bridge's tests: the voice stack in-process, a baresip SOS terminal, an aiortc browser."""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import shutil
import time
import wave
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from prometheus_client import CollectorRegistry

from qorgau.core.aio import within
from qorgau.core.db import Database
from qorgau.ingest.adapters.sip.adapter import SipAdapter
from qorgau.ingest.adapters.sip.config import SipConfig
from qorgau.ingest.directory import Directory
from qorgau.ingest.hub import IngestHub
from qorgau.ingest.metrics import IngestMetrics
from qorgau.ingest.sink import Sink
from qorgau.settings import Settings
from qorgau.voice.bridge.api import create_control_app
from qorgau.voice.bridge.host import Bridge
from qorgau.voice.bridge.rtp import PortPool
from qorgau.voice.bridge.trunk import TrunkHooks
from qorgau.voice.control import BridgeClient

BARESIP = shutil.which("baresip")
TOKEN = "test-token"


def tone(freq: float, seconds: float, rate: int = 8000, amplitude: int = 8000) -> np.ndarray[Any, Any]:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def write_wav(path: Path, samples: np.ndarray[Any, Any], rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype("<i2").tobytes())
    return path


def read_wav(path: Path) -> tuple[np.ndarray[Any, Any], int]:
    with wave.open(str(path), "rb") as source:
        data = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
        if source.getnchannels() > 1:
            data = data.reshape(-1, source.getnchannels())[:, 0]
        return data, source.getframerate()


def dominant_hz(samples: np.ndarray[Any, Any], rate: int) -> float:
    """The frequency with the most energy (a Hann window; DC removed)."""
    data = samples.astype(np.float64)
    data -= data.mean()
    spectrum = np.abs(np.fft.rfft(data * np.hanning(len(data))))
    return float(np.fft.rfftfreq(len(data), 1 / rate)[int(np.argmax(spectrum[1:])) + 1])


def band_energy(samples: np.ndarray[Any, Any], rate: int, hz: float, width: float = 30.0) -> float:
    """Share of the signal's energy within ±width of hz."""
    data = samples.astype(np.float64) - samples.mean()
    power = np.abs(np.fft.rfft(data * np.hanning(len(data)))) ** 2
    freqs = np.fft.rfftfreq(len(data), 1 / rate)
    total = power[freqs > 50].sum()
    return float(power[(freqs > hz - width) & (freqs < hz + width)].sum() / total) if total else 0.0


@dataclass
class Stack:
    """The voice process's parts in this event loop: SIP listener with the bridge, the control API's client."""

    adapter: SipAdapter
    bridge: Bridge
    client: BridgeClient
    hub: IngestHub
    trunk: SipAdapter

    @property
    def port(self) -> int:
        return self.adapter.port


@asynccontextmanager
async def voice_stack(db: Database, settings: Settings, **config: Any) -> AsyncIterator[Stack]:
    registry = CollectorRegistry()
    directory = Directory(db, refresh_s=0.2)
    metrics = IngestMetrics(registry)
    sink = Sink(db, directory, metrics)
    hub = IngestHub(settings=settings, db=db, directory=directory, sink=sink, metrics=metrics)
    await directory.start()
    sink.start()
    bridge = Bridge(db, PortPool(config.pop("port_min", 41000), config.pop("port_max", 41998)),
                    settings.voice_recordings_dir)
    adapter = SipAdapter(SipConfig(host="127.0.0.1", port=0, **config), hooks=bridge)
    await adapter.start(hub)
    assert adapter.uas is not None
    bridge.hangup_sip = adapter.uas.hangup
    hooks = TrunkHooks(bridge)
    trunk = SipAdapter(SipConfig(host="127.0.0.1", port=0, **config), hooks=hooks,
                       uas=lambda h, conf, k: hooks.make_uas(h, conf, k, hosts=frozenset({"127.0.0.1"})))
    await trunk.start(hub)
    app = create_control_app(bridge, TOKEN)
    app.state.sip_port = adapter.port
    client = BridgeClient("http://voice", TOKEN, transport=httpx.ASGITransport(app=app), timeout_s=15)
    try:
        yield Stack(adapter, bridge, client, hub, trunk)
    finally:
        await trunk.stop()
        await adapter.stop()
        await bridge.stop()
        await asyncio.to_thread(sink.stop)
        await directory.stop()


@dataclass
class Terminal:
    """A baresip process calling the voice stack as an SOS terminal: plays a WAV, records what it hears."""

    process: asyncio.subprocess.Process
    folder: Path
    output: list[str] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            self.output.append(line.decode(errors="replace").rstrip())

    async def wait_for(self, text: str, timeout_s: float = 10.0) -> None:
        async def scan() -> None:
            while not any(text in line for line in self.output):
                if self.process.returncode is not None:
                    raise AssertionError(f"baresip exited: {self.output[-20:]}")
                await asyncio.sleep(0.05)
        try:
            await within(scan(), timeout_s)
        except TimeoutError as exc:
            raise AssertionError(f"baresip never printed {text!r}: {self.output[-30:]}") from exc

    def heard(self) -> tuple[np.ndarray[Any, Any], int]:
        dumps = sorted(self.folder.glob("dump-*-dec.wav"))
        assert dumps, f"baresip recorded nothing: {list(self.folder.iterdir())}"
        return read_wav(dumps[-1])


def _configure(folder: Path, *, listen: str, source: Path, codecs: tuple[str, ...], account_line: str) -> None:
    """baresip's config, account and contacts files: audio from ``source``, what it hears dumped as WAV."""
    folder.mkdir(parents=True, exist_ok=True)
    modules = "\n".join(f"module\t\t\t{name}.so" for name in ("stdio", *codecs, "aufile", "sndfile", "account",
                                                               "menu"))
    (folder / "config").write_text(
        f"poll_method\t\tepoll\nsip_listen\t\t{listen}\nsip_trans_def\t\tudp\naudio_source\t\taufile,{source}\n"
        f"audio_player\t\taufile,/dev/null\naudio_alert\t\taufile,/dev/null\nausrc_srate\t\t8000\n"
        f"auplay_srate\t\t8000\nausrc_channels\t\t1\nauplay_channels\t\t1\nrtp_ports\t\t43000-43998\n"
        f"snd_path\t\t{folder}\nmodule_path\t\t/usr/lib/baresip/modules\n{modules}\n")
    (folder / "accounts").write_text(account_line + "\n")
    (folder / "contacts").write_text("")


@asynccontextmanager
async def _running(folder: Path, *args: str) -> AsyncIterator[Terminal]:
    """Run baresip on a configured folder; asked to quit (its recording closed) at exit, terminated if it hangs."""
    assert BARESIP is not None
    process = await asyncio.create_subprocess_exec(
        BARESIP, "-f", str(folder), *args, cwd=folder,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    terminal = Terminal(process, folder)
    terminal._reader = asyncio.create_task(terminal._read())
    try:
        yield terminal
    finally:
        if process.returncode is None:
            assert process.stdin is not None
            with contextlib.suppress(Exception):
                process.stdin.write(b"q")
                await process.stdin.drain()
            try:
                await within(process.wait(), 5)
            except TimeoutError:
                process.terminate()
                await process.wait()
        terminal._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await terminal._reader


@asynccontextmanager
async def baresip(folder: Path, sip_port: int, *, user: str = "7001", source: Path,
                  codecs: tuple[str, ...] = ("g711",), dial: str = "sos",
                  account: str = "") -> AsyncIterator[Terminal]:
    """Start baresip dialling the stack; stopped (and its recording closed) at exit.

    `account` adds parameters to the account line (`;mediaenc=srtp-mand` with the srtp module among `codecs`).
    """
    _configure(folder, listen="127.0.0.1:0", source=source, codecs=codecs,
               account_line=f"<sip:{user}@127.0.0.1>;regint=0{account}")
    async with _running(folder, "-e", f"/dial sip:{dial}@127.0.0.1:{sip_port}") as terminal:
        yield terminal


@asynccontextmanager
async def answering(folder: Path, port: int, user: str, *, source: Path,
                    dial: str | None = None) -> AsyncIterator[Terminal]:
    """baresip listening on `port`, answering every call at once (and dialling `dial` first, if given)."""
    _configure(folder, listen=f"127.0.0.1:{port}", source=source, codecs=("g711",),
               account_line=f"<sip:{user}@127.0.0.1>;regint=0;answermode=auto")
    async with _running(folder, *(["-e", dial] if dial else [])) as terminal:
        yield terminal


class ToneTrack(MediaStreamTrack):
    """The operator's microphone: a sine at 48 kHz in 20 ms frames, paced in real time."""

    kind = "audio"

    def __init__(self, freq: float) -> None:
        super().__init__()
        self.freq = freq
        self._pts = 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        wait = self._start + self._pts / 48000 - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        t = (np.arange(960) + self._pts) / 48000
        samples = (8000 * np.sin(2 * np.pi * self.freq * t)).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = 48000, self._pts, fractions.Fraction(1, 48000)
        self._pts += 960
        return frame


@dataclass
class Browser:
    """An operator's browser as aiortc: sends a tone, keeps what it hears (8 kHz mono)."""

    pc: RTCPeerConnection
    heard: list[np.ndarray[Any, Any]] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    @classmethod
    async def offer(cls, freq: float) -> tuple[Browser, str]:
        pc = RTCPeerConnection()
        browser = cls(pc)
        pc.addTrack(ToneTrack(freq))

        @pc.on("track")
        def _track(track: MediaStreamTrack) -> None:
            browser._task = asyncio.create_task(browser._read(track))

        await pc.setLocalDescription(await pc.createOffer())
        return browser, str(pc.localDescription.sdp)

    async def accept(self, sdp: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))

    async def _read(self, track: MediaStreamTrack) -> None:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=8000)
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if isinstance(frame, av.AudioFrame):
                    for out in resampler.resample(frame):
                        self.heard.append(out.to_ndarray().reshape(-1))

    def samples(self) -> np.ndarray[Any, Any]:
        return np.concatenate(self.heard) if self.heard else np.zeros(0, dtype=np.int16)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.pc.close()


KAMAILIO_CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
disable_tcp=yes
listen=udp:127.0.0.1:{listen}
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (has_totag()) {{
        if (loose_route()) {{ t_relay(); exit; }}
        if (is_method("ACK")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
        sl_send_reply("404", "Not here"); exit;
    }}
    if (is_method("CANCEL")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
    if (is_method("INVITE")) {{
        record_route();
        append_hf("P-Asserted-Identity: <sip:$fU@exchange.invalid>\\r\\n");
        $du = "sip:127.0.0.1:{target}";
        t_relay();
        exit;
    }}
    sl_send_reply("405", "Method Not Allowed");
}}
"""
KAMAILIO = shutil.which("kamailio") or ("/usr/sbin/kamailio" if Path("/usr/sbin/kamailio").exists() else None)


@asynccontextmanager
async def kamailio(folder: Path, listen: int, target: int) -> AsyncIterator[asyncio.subprocess.Process]:
    """Kamailio as the exchange's SIP proxy: INVITEs on `listen` go to `target` with a P-Asserted-Identity."""
    assert KAMAILIO is not None
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kamailio.cfg").write_text(KAMAILIO_CFG.format(listen=listen, target=target))
    log = (folder / "kamailio.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        KAMAILIO, "-f", str(folder / "kamailio.cfg"), "-DD", "-E", "-n", "1", "-Y", str(folder), "-P",
        str(folder / "kamailio.pid"), "-w", str(folder), "-m", "32", "-M", "8", stdout=log, stderr=log)
    try:
        await within(_answers_options(listen), 10)
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await within(process.wait(), 5)
            except TimeoutError:
                process.kill()
                await process.wait()
        log.close()


async def _answers_options(port: int) -> None:
    """Until the proxy answers an OPTIONS (it refuses it with 405: it is up)."""
    from tests.ingest.adapters.sip.raw import UdpClient

    client = await UdpClient(port).open()
    try:
        while True:
            client.send("OPTIONS", branch=f"z9hG4bK-probe{time.monotonic_ns()}")
            try:
                await client.recv(0.3)
                return
            except TimeoutError:
                continue
    finally:
        client.close()
