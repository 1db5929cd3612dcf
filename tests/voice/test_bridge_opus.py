"""Opus from terminals: a real baresip offering Opus first, through the bridge to a browser and back; SDP rules."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from qorgau.core.db import Database
from qorgau.ingest.adapters.sip.sdp import answer, parse_offer
from qorgau.settings import Settings
from qorgau.voice.bridge.opus import OpusCodec
from qorgau.voice.control import CallMedia
from tests.ingest.adapters.sip.conftest import run, terminals  # noqa: F401 - fixtures
from tests.voice.bridge_peers import BARESIP, Browser, band_energy, baresip, dominant_hz, tone, voice_stack, write_wav
from tests.voice.test_bridge_media import _recorded, near, until, windows

TERMINAL_HZ, OPERATOR_HZ = 700.0, 1300.0
OPUS_MODULE = Path("/usr/lib/baresip/modules/opus.so")


def sdp_body(pts: str, *maps: str) -> bytes:
    lines = "".join(f"a=rtpmap:{m}\r\n" for m in maps)
    return f"v=0\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP {pts}\r\n{lines}".encode()


def test_opus_is_taken_in_the_terminals_order_and_answered_mono() -> None:
    first = parse_offer(sdp_body("96 0 101", "96 opus/48000/2", "0 PCMU/8000", "101 telephone-event/48000"))
    assert first is not None and first.codec() == 96 and first.codec_name(96) == "opus"
    text = (answer(first, address="h", port=2) or b"").decode()
    assert "m=audio 2 RTP/AVP 96 101" in text and "a=rtpmap:96 opus/48000/2" in text and "stereo=0" in text
    assert "a=rtpmap:101 telephone-event/48000" in text
    both = parse_offer(sdp_body("96 101 102", "96 opus/48000/2", "101 telephone-event/8000",
                                "102 telephone-event/48000"))
    assert both is not None and both.dtmf() == 102  # the event clock matches Opus's
    later = parse_offer(sdp_body("8 96 101 102", "8 PCMA/8000", "96 opus/48000/2", "101 telephone-event/8000",
                                 "102 telephone-event/48000"))
    assert later is not None and later.dtmf() == 101
    assert later is not None and later.codec() == 8  # G.711 listed first: G.711
    wrong_clock = parse_offer(sdp_body("97", "97 opus/16000/1"))  # not RFC 7587: refused
    assert wrong_clock is not None and wrong_clock.codec() is None and answer(wrong_clock, address="h", port=2) is None


def test_opus_codec_round_trip_keeps_a_tone_and_survives_garbage() -> None:
    sender, receiver = OpusCodec(), OpusCodec()
    source = tone(TERMINAL_HZ, 1.0)
    frames = [receiver.decode(sender.encode(source[i:i + 160])) for i in range(0, len(source), 160)]
    assert all(frame.shape == (160,) for frame in frames)
    assert near(dominant_hz(np.concatenate(frames)[800:], 8000), TERMINAL_HZ)
    assert receiver.decode(b"\xff\xfe\xfd").shape == (160,)  # a broken packet is silence, not an exception


@pytest.mark.skipif(BARESIP is None or not OPUS_MODULE.exists(), reason="baresip or its opus module is missing")
@pytest.mark.timeout(60)
def test_baresip_offering_opus_first_and_the_browser_hear_each_other(
        terminals: Database, settings: Settings, tmp_path: Path, run: Any) -> None:  # noqa: F811
    source = write_wav(tmp_path / "terminal.wav", tone(TERMINAL_HZ, 20.0))

    async def scenario() -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], int, CallMedia, str]:
        async with voice_stack(terminals, settings) as stack, \
                baresip(tmp_path / "baresip", stack.port, source=source, codecs=("opus", "g711")) as terminal:
            calls = await until(lambda: _active(stack), 10, "the terminal's Opus at the bridge")
            call_id = calls[0].call_id
            sip = next(iter(stack.bridge.calls.values())).sip
            assert sip is not None and sip.sdp_answer is not None
            browser, offer = await Browser.offer(OPERATOR_HZ)
            try:
                leg = await stack.client.attach(call_id=call_id, operator_id=1, sdp=offer)
                await browser.accept(leg.sdp)
                await until(lambda: _heard(browser, 2.0), 15, "two seconds of the terminal at the browser")
                await asyncio.sleep(1.5)  # the terminal hears the operator meanwhile
                media = await stack.client.hangup(call_id)
                await terminal.wait_for("terminated", 10)
            finally:
                await browser.close()
            at_browser = browser.samples()
        heard, rate = terminal.heard()
        return at_browser, heard, rate, media, sip.sdp_answer

    at_browser, at_terminal, rate, media, sdp_answer = run(scenario())
    assert "opus/48000/2" in sdp_answer and "PCMU" not in sdp_answer
    assert media.codec == "opus" and media.rx_packets > 50 and media.tx_packets > 50
    assert media.problems.bad_codec == 0
    assert near(dominant_hz(at_browser[-8000:], 8000), TERMINAL_HZ)
    seq = windows(at_terminal, rate)
    assert len([hz for hz in seq if near(hz, OPERATOR_HZ)]) >= 2, seq
    # The same recorder: the terminal (decoded Opus) left, the operator right.
    call = run(until(lambda: _recorded(terminals), 10, "the recording"))
    assert call.codec == "opus"
    with av.open(str(settings.voice_recordings_dir / call.recording_path)) as container:
        stream = container.streams.audio[0]
        pcm = np.concatenate([frame.to_ndarray() for frame in container.decode(stream)], axis=1)
    assert band_energy(pcm[0] * 32767, stream.rate, TERMINAL_HZ) > 0.5
    assert band_energy(pcm[1] * 32767, stream.rate, OPERATOR_HZ) > 0.5


async def _active(stack: Any) -> list[CallMedia]:
    return [call for call in await stack.client.calls() if call.rx_packets > 10]


async def _heard(browser: Browser, seconds: float) -> bool:
    return bool(browser.samples().shape[0] >= seconds * 8000)
