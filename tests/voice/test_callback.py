"""Calling back a dropped call with real peers: a baresip SOS terminal, and a 102 caller behind a Kamailio proxy."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qorgau.core.db import Database
from qorgau.settings import Settings
from qorgau.voice.control import CallMedia
from qorgau.voice.models import VoiceCall
from tests.ingest.adapters.sip.conftest import free_port, run, terminals  # noqa: F401 - fixtures
from tests.voice.bridge_peers import (
    BARESIP,
    KAMAILIO,
    KAMAILIO_CFG,
    Browser,
    Stack,
    Terminal,
    answering,
    dominant_hz,
    kamailio,
    tone,
    voice_stack,
    write_wav,
)
from tests.voice.test_bridge_media import near, until, windows
from tests.voice.test_sip_faults import wait_db

pytestmark = pytest.mark.skipif(BARESIP is None, reason="baresip is not installed")
TERMINAL_HZ, OPERATOR_HZ = 700.0, 1300.0
CALLER = "+77015550123"


async def flowing(stack: Stack, call_id: int | None = None) -> list[CallMedia]:
    return [c for c in await stack.client.calls() if c.rx_packets > 10 and call_id in (None, c.call_id)]


async def talk(stack: Stack, call_id: int) -> np.ndarray[Any, Any]:
    """The operator's browser joins the callback: two seconds heard each way; what the browser heard."""
    browser, offer = await Browser.offer(OPERATOR_HZ)
    try:
        leg = await stack.client.attach(call_id=call_id, operator_id=7, sdp=offer)
        await browser.accept(leg.sdp)
        await until(lambda: _heard(browser), 15, "two seconds of the far end at the browser")
        await asyncio.sleep(1.0)
        await stack.client.hangup(call_id)
    finally:
        await browser.close()
    return browser.samples()


async def _heard(browser: Browser) -> bool:
    return bool(browser.samples().shape[0] >= 2 * 8000)


def check_call(rows: list[VoiceCall], at_browser: np.ndarray[Any, Any], at_far_end: np.ndarray[Any, Any],
               rate: int) -> VoiceCall:
    back = rows[-1]
    assert back.kind == "callback" and back.end_reason == "operator_hung_up", [(r.kind, r.state) for r in rows]
    assert back.media_started_at is not None and back.recording_path is not None
    assert near(dominant_hz(at_browser[-8000:], 8000), TERMINAL_HZ)
    assert sum(near(hz, OPERATOR_HZ) for hz in windows(at_far_end, rate)) >= 2
    return back


@pytest.mark.timeout(90)
def test_a_dropped_sos_call_is_called_back_at_the_terminal_which_answers_and_hears_the_operator(
        terminals: Database, settings: Settings, tmp_path: Path, run: Any) -> None:  # noqa: F811
    source = write_wav(tmp_path / "terminal.wav", tone(TERMINAL_HZ, 40.0))

    async def scenario() -> tuple[list[VoiceCall], np.ndarray[Any, Any], Terminal]:
        async with voice_stack(terminals, settings) as stack:
            stack.bridge.dial_from("terminals", stack.adapter)
            async with answering(tmp_path / "terminal", free_port(), "7001", source=source,
                                 dial=f"/dial sip:sos@127.0.0.1:{stack.port}") as terminal:
                first = (await until(lambda: flowing(stack), 15, "the SOS call's RTP"))[0].call_id
                await stack.client.hangup(first)  # the SOS call drops
                await wait_db(terminals, lambda rows: rows and rows[0].state == "ended")
                back = (await stack.client.callback(device_code="SOS-0001", number=None, operator_id=7)).call_id
                await until(lambda: flowing(stack, back), 15, "the terminal's RTP on the callback")
                at_browser = await talk(stack, back)
                await terminal.wait_for("terminated", 10)
            rows = await wait_db(terminals, lambda rows: len(rows) == 2 and rows[1].recording_path is not None)
            return rows, at_browser, terminal

    rows, at_browser, terminal = run(scenario())
    heard, rate = terminal.heard()
    back = check_call(rows, at_browser, heard, rate)
    assert back.device_code == "SOS-0001" and rows[0].kind == "sos"


KAMAILIO_BOTH_WAYS = KAMAILIO_CFG.replace(
    '        $du = "sip:127.0.0.1:{target}";\n',
    '        if ($rU == "102") {{ $du = "sip:127.0.0.1:{target}"; }}\n'
    '        else {{ $ru = "sip:" + $rU + "@127.0.0.1:{caller}"; }}\n')


@pytest.mark.skipif(KAMAILIO is None, reason="kamailio is needed")
@pytest.mark.timeout(90)
def test_a_dropped_102_call_is_called_back_through_the_kamailio_trunk_to_the_callers_number(
        terminals: Database, settings: Settings, tmp_path: Path, run: Any,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_wav(tmp_path / "caller.wav", tone(TERMINAL_HZ, 40.0))
    caller_port = free_port()
    assert KAMAILIO_BOTH_WAYS != KAMAILIO_CFG
    monkeypatch.setattr("tests.voice.bridge_peers.KAMAILIO_CFG", KAMAILIO_BOTH_WAYS.replace("{caller}",
                                                                                           str(caller_port)))

    async def scenario() -> tuple[list[VoiceCall], np.ndarray[Any, Any], Terminal]:
        async with voice_stack(terminals, settings) as stack:
            proxy = free_port()
            stack.bridge.dial_from("trunk", stack.trunk, proxy=("127.0.0.1", proxy))
            async with kamailio(tmp_path / "kamailio", proxy, stack.trunk.port), \
                    answering(tmp_path / "caller", caller_port, CALLER, source=source,
                              dial=f"/dial sip:102@127.0.0.1:{proxy}") as caller:
                first = (await until(lambda: flowing(stack), 15, "the 102 call's RTP"))[0].call_id
                await stack.client.hangup(first)
                rows = await wait_db(terminals, lambda rows: rows and rows[0].state == "ended")
                assert (rows[0].kind, rows[0].caller) == ("line102", CALLER)
                back = (await stack.client.callback(device_code=None, number=CALLER, operator_id=7)).call_id
                await until(lambda: flowing(stack, back), 15, "the caller's RTP on the callback")
                at_browser = await talk(stack, back)
                await caller.wait_for("terminated", 10)  # our BYE went back through the proxy's route
            rows = await wait_db(terminals, lambda rows: len(rows) == 2 and rows[1].recording_path is not None)
            return rows, at_browser, caller

    rows, at_browser, caller = run(scenario())
    heard, rate = caller.heard()
    back = check_call(rows, at_browser, heard, rate)
    assert back.caller == CALLER and back.device_code is None
