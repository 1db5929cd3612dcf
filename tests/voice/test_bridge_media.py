"""The bridge end to end: a real baresip terminal, an aiortc "browser", the control API, the recording."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from sqlalchemy import select

from qorgau.core.aio import within
from qorgau.core.db import Database
from qorgau.settings import Settings
from qorgau.voice.control import CallMedia
from qorgau.voice.models import VoiceCall
from tests.ingest.adapters.sip.conftest import run, terminals  # noqa: F401 - fixtures
from tests.voice.bridge_peers import BARESIP, Browser, band_energy, baresip, dominant_hz, tone, voice_stack, write_wav

pytestmark = pytest.mark.skipif(BARESIP is None, reason="baresip is not installed")
TERMINAL_HZ, OPERATOR_HZ, HOLD_HZ = 700.0, 1300.0, 425.0


async def until(check: Any, timeout_s: float, what: str) -> Any:
    """Poll an async check until it returns something truthy."""
    async def loop() -> Any:
        while True:
            value = await check()
            if value:
                return value
            await asyncio.sleep(0.05)
    try:
        return await within(loop(), timeout_s)
    except TimeoutError as exc:
        raise AssertionError(f"timed out waiting for {what}") from exc


def windows(samples: np.ndarray[Any, Any], rate: int, seconds: float = 0.4) -> list[float]:
    size = int(rate * seconds)
    return [dominant_hz(samples[i:i + size], rate) if np.abs(samples[i:i + size]).max() > 300 else 0.0
            for i in range(0, len(samples) - size + 1, size)]


def near(value: float, target: float, tolerance: float = 25.0) -> bool:
    return abs(value - target) <= tolerance


def recorded_call(db: Database) -> VoiceCall | None:
    with db.reading() as session:
        return session.scalars(select(VoiceCall).where(VoiceCall.recording_path.is_not(None))).first()


@pytest.mark.timeout(60)
def test_terminal_and_browser_hear_each_other_hold_hangup_and_recording(
        terminals: Database, settings: Settings, tmp_path: Path, run: Any) -> None:  # noqa: F811
    source = write_wav(tmp_path / "terminal.wav", tone(TERMINAL_HZ, 20.0))

    async def scenario() -> tuple[np.ndarray[Any, Any], int, np.ndarray[Any, Any], CallMedia]:
        async with voice_stack(terminals, settings) as stack, \
                baresip(tmp_path / "baresip", stack.port, source=source) as terminal:
            calls = await until(lambda: _active(stack), 10, "the terminal's RTP at the bridge")
            call_id = calls[0].call_id
            browser, offer = await Browser.offer(OPERATOR_HZ)
            try:
                leg = await stack.client.attach(call_id=call_id, operator_id=1, sdp=offer)
                await browser.accept(leg.sdp)
                await until(lambda: _heard(browser, 2.0), 15, "two seconds of the terminal at the browser")
                await asyncio.sleep(1.0)  # the terminal hears the operator meanwhile
                held = await stack.client.hold(call_id, True)
                assert held.held and held.state == "held"
                await asyncio.sleep(1.5)
                media = await stack.client.hangup(call_id)
                await terminal.wait_for("terminated", 10)
            finally:
                await browser.close()
            heard_at_browser = browser.samples()
        heard, rate = terminal.heard()
        return heard_at_browser, rate, heard, media

    at_browser, rate, at_terminal, media = run(scenario())
    assert media.rx_packets > 50 and media.tx_packets > 50 and media.codec == "PCMU"
    # The terminal's tone reached the browser.
    assert near(dominant_hz(at_browser[-8000:], 8000), TERMINAL_HZ)
    # The operator's tone reached the terminal, then the hold tone replaced it (never the operator while held).
    seq = windows(at_terminal, rate)
    talking = [i for i, hz in enumerate(seq) if near(hz, OPERATOR_HZ)]
    assert len(talking) >= 2, seq
    tail = at_terminal[(talking[-1] + 2) * int(rate * 0.4):]
    assert tail.shape[0] > rate // 2, seq
    assert band_energy(tail, rate, HOLD_HZ, width=60) > 0.6, seq  # 0.4 s on, 0.4 s off: side bands of 1.25 Hz
    assert band_energy(tail, rate, OPERATOR_HZ) < 0.05
    # The recording holds both directions: the terminal left, the operator right.
    call = run(until(lambda: _recorded(terminals), 10, "the recording"))
    assert call.end_reason == "operator_hung_up" and call.recording_media_type == "audio/ogg"
    path = settings.voice_recordings_dir / call.recording_path
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        assert stream.channels == 2
        pcm = np.concatenate([frame.to_ndarray() for frame in container.decode(stream)], axis=1)
    left, right = pcm[0] * 32767, pcm[1] * 32767
    assert band_energy(left, stream.rate, TERMINAL_HZ) > 0.5
    assert band_energy(right, stream.rate, OPERATOR_HZ) > 0.5
    assert call.recording_duration_s and call.recording_duration_s > 2.0


async def _active(stack: Any) -> list[CallMedia]:
    return [call for call in await stack.client.calls() if call.rx_packets > 10]


async def _heard(browser: Browser, seconds: float) -> bool:
    return bool(browser.samples().shape[0] >= seconds * 8000)


async def _recorded(db: Database) -> VoiceCall | None:
    return await asyncio.to_thread(recorded_call, db)
