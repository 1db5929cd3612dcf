"""Bad input at the voice process's SIP and RTP side: refused codecs, silent, misdirected and flooding terminals."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from qorgau.core.aio import within
from qorgau.core.db import Database
from qorgau.ingest.adapters.sip import sdp
from qorgau.settings import Settings
from qorgau.voice.bridge import g711, rtp
from qorgau.voice.control import CallMedia
from qorgau.voice.models import VoiceCall
from tests.ingest.adapters.sip.conftest import run, terminals  # noqa: F401 - fixtures
from tests.ingest.adapters.sip.raw import UdpClient, to_tag
from tests.voice.bridge_peers import Browser, Stack, band_energy, tone, voice_stack

G729_ONLY = ("v=0\r\no=t 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
             "m=audio 49170 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n")


def offer(port: int) -> str:
    return ("v=0\r\no=t 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            f"m=audio {port} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
            "a=fmtp:101 0-15\r\n")


def voice_calls(db: Database) -> list[VoiceCall]:
    with db.reading() as session:
        return list(session.scalars(select(VoiceCall).order_by(VoiceCall.id)))


async def wait_db(db: Database, check: Any, timeout_s: float = 10.0) -> list[VoiceCall]:
    async def poll() -> list[VoiceCall]:
        while True:
            rows = await asyncio.to_thread(voice_calls, db)
            if check(rows):
                return rows
            await asyncio.sleep(0.05)
    return await within(poll(), timeout_s)


async def media_of(stack: Stack, check: Any, timeout_s: float = 10.0) -> CallMedia:
    async def poll() -> CallMedia:
        while True:
            calls = await stack.client.calls()
            if calls and check(calls[0]):
                return calls[0]
            await asyncio.sleep(0.05)
    return await within(poll(), timeout_s)


def test_a_codec_the_bridge_cannot_handle_is_refused_488_with_a_warning(
        terminals: Database, settings: Settings, run: Any) -> None:  # noqa: F811
    async def scenario() -> list[VoiceCall]:
        async with voice_stack(terminals, settings) as stack:
            client = await UdpClient(stack.port).open()
            client.send("INVITE", branch="z9hG4bK-g729", body=G729_ONLY)
            refused = await client.until(488, timeout=5)
            assert "305" in (refused.get("warning") or "") and not refused.body
            client.send("ACK", branch="z9hG4bK-g729", to_tag=to_tag(refused))
            client.close()
            assert stack.bridge.calls == {} and stack.bridge.pool.in_use == 0
            return await wait_db(terminals, lambda rows: rows and rows[0].state == "ended")

    rows = run(scenario())
    assert [(r.end_reason, r.problems, r.device_code) for r in rows] == [("refused", {"bad_codec": 1}, "SOS-0001")]


def test_silent_misdirected_flooding_and_foreign_codec_rtp_is_counted_and_dtmf_recorded(
        terminals: Database, settings: Settings, run: Any) -> None:  # noqa: F811
    media_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    media_sock.bind(("127.0.0.1", 0))
    media_sock.setblocking(False)

    async def scenario() -> tuple[CallMedia, CallMedia, list[VoiceCall]]:
        async with voice_stack(terminals, settings) as stack:
            stack.bridge.no_rtp_after_s = 0.5
            client = await UdpClient(stack.port).open()
            client.send("INVITE", branch="z9hG4bK-f1", body=offer(media_sock.getsockname()[1]))
            ok = await client.until(200, timeout=5)
            answer = sdp.parse_offer(ok.body)
            assert answer is not None and answer.codec() == 8 and answer.dtmf() == 101
            client.send("ACK", branch="z9hG4bK-f2", to_tag=to_tag(ok))
            silent = await media_of(stack, lambda m: m.problems.no_rtp == 1)
            target = ("127.0.0.1", answer.port)
            pcm = g711.encode(tone(900, 0.02), 8)
            media_sock.sendto(rtp.build(8, 1, 160, 7, pcm), ("127.0.0.1", answer.port + 1))  # RTCP's port
            media_sock.sendto(rtp.build(18, 2, 320, 7, b"\x00" * 20), target)  # G.729, never negotiated
            for event in (b"\x05\x0a\x00\xa0", b"\x05\x8a\x01\x40", b"\x05\x8a\x01\x40"):  # key 5, end sent twice
                media_sock.sendto(rtp.build(101, 3, 480, 7, event), target)
            await asyncio.sleep(1.0)  # a fresh rate window: these packets are not part of the flood
            for seq in range(400):  # 400 packets at once: eight seconds' worth
                media_sock.sendto(rtp.build(8, 10 + seq, 160 * (10 + seq), 7, pcm), target)
            faulty = await media_of(stack, lambda m: m.problems.flood >= 1 and m.problems.wrong_port == 1
                                    and m.problems.bad_codec == 1 and m.dtmf == "5")
            client.send("BYE", branch="z9hG4bK-f3", cseq=2, to_tag=to_tag(ok))
            await client.until(200)
            client.close()
            rows = await wait_db(terminals, lambda rows: rows and rows[0].state == "ended"
                                 and rows[0].recording_path is not None)
            return silent, faulty, rows

    try:
        silent, faulty, rows = run(scenario())
    finally:
        media_sock.close()
    assert silent.rx_packets == 0 and silent.codec == "PCMA"
    assert faulty.rx_packets <= 150 + 1  # the flood's excess was dropped, not played
    assert rows[0].end_reason == "unanswered"  # no operator took it: the domain counts it so
    assert {k: v >= 1 for k, v in rows[0].problems.items()} == {"no_rtp": True, "wrong_port": True, "flood": True,
                                                                "bad_codec": True}


def test_the_bridge_answers_to_where_rtp_comes_from(
        terminals: Database, settings: Settings, run: Any) -> None:  # noqa: F811
    """Symmetric RTP: a terminal behind NAT sends from another port than its SDP says; replies follow the packets."""
    announced = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    announced.bind(("127.0.0.1", 0))
    actual = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    actual.bind(("127.0.0.1", 0))
    actual.settimeout(0.1)

    async def scenario() -> int:
        async with voice_stack(terminals, settings) as stack:
            client = await UdpClient(stack.port).open()
            client.send("INVITE", branch="z9hG4bK-n1", body=offer(announced.getsockname()[1]))
            ok = await client.until(200, timeout=5)
            answer = sdp.parse_offer(ok.body)
            assert answer is not None
            client.send("ACK", branch="z9hG4bK-n2", to_tag=to_tag(ok))
            pcm = g711.encode(tone(900, 0.02), 8)
            got = 0
            deadline = time.monotonic() + 5
            seq = 0
            while got < 5 and time.monotonic() < deadline:
                seq += 1
                actual.sendto(rtp.build(8, seq, 160 * seq, 9, pcm), ("127.0.0.1", answer.port))
                try:
                    data = await asyncio.to_thread(actual.recv, 2048)
                except TimeoutError:
                    continue
                packet = rtp.parse(data)
                got += packet is not None and packet.pt == 8
            client.send("BYE", branch="z9hG4bK-n3", cseq=2, to_tag=to_tag(ok))
            await client.until(200)
            client.close()
            return got

    try:
        assert run(scenario()) >= 5
    finally:
        announced.close()
        actual.close()


@pytest.mark.parametrize("pt", [0, 8])
def test_g711_round_trip_keeps_a_tone(pt: int) -> None:
    samples = tone(1000, 0.1)
    back = g711.decode(g711.encode(samples, pt), pt)
    assert back.dtype.name == "int16" and back.shape == samples.shape
    assert float((back.astype(float) - samples).std()) < 0.02 * float(samples.std())


def test_a_call_cancelled_while_its_record_commits_leaves_nothing_behind(
        terminals: Database, settings: Settings, run: Any) -> None:  # noqa: F811
    async def scenario() -> tuple[list[VoiceCall], int, int]:
        async with voice_stack(terminals, settings) as stack:
            bridge = stack.bridge
            commit = bridge._db

            async def slow_commit(work: Any) -> Any:
                await asyncio.sleep(0.5)  # a slow database: the CANCEL lands while the call's record commits
                return await commit(work)

            bridge._db = slow_commit  # type: ignore[method-assign]
            client = await UdpClient(stack.port).open()
            client.send("INVITE", branch="z9hG4bK-c1", body=offer(40000))
            await client.until(180, timeout=5)
            client.send("CANCEL", branch="z9hG4bK-c1")
            await client.until(487, timeout=5)
            rows = await wait_db(terminals, lambda rows: rows and rows[0].state == "ended")
            await asyncio.sleep(0.2)
            client.close()
            return rows, len(bridge.calls), bridge.pool.in_use

    rows, calls, ports = run(scenario())
    assert (rows[0].end_reason, calls, ports) == ("unanswered", 0, 0)


def test_a_browser_that_vanishes_puts_the_call_on_hold_tone(
        terminals: Database, settings: Settings, run: Any) -> None:  # noqa: F811
    media_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    media_sock.bind(("127.0.0.1", 0))
    media_sock.settimeout(0.1)

    async def scenario() -> tuple[CallMedia, CallMedia, list[float]]:
        async with voice_stack(terminals, settings) as stack:
            client = await UdpClient(stack.port).open()
            client.send("INVITE", branch="z9hG4bK-v1", body=offer(media_sock.getsockname()[1]))
            ok = await client.until(200, timeout=5)
            client.send("ACK", branch="z9hG4bK-v2", to_tag=to_tag(ok))
            call = await media_of(stack, lambda m: m.state == "held")
            browser, sdp_offer = await Browser.offer(1300.0)
            leg = await stack.client.attach(call_id=call.call_id, operator_id=1, sdp=sdp_offer)
            await browser.accept(leg.sdp)
            talking = await media_of(stack, lambda m: m.state == "active" and m.leg_id == leg.leg_id)

            async def connected() -> None:
                while browser.pc.connectionState != "connected":
                    await asyncio.sleep(0.05)
            await within(connected(), 15)
            await browser.close()  # the tab closed: no `leave` ever comes
            held = await media_of(stack, lambda m: m.leg_id is None and m.state == "held", timeout_s=15)
            heard: list[float] = []
            while len(heard) < 40:  # 0.8 s of what the terminal hears now
                try:
                    data = await asyncio.to_thread(media_sock.recv, 2048)
                except TimeoutError:
                    continue
                packet = rtp.parse(data)
                if packet is not None:
                    heard.extend(g711.decode(packet.payload, 8).tolist())
            client.send("BYE", branch="z9hG4bK-v3", cseq=2, to_tag=to_tag(ok))
            await client.until(200)
            client.close()
            return talking, held, heard

    try:
        talking, held, heard = run(scenario())
    finally:
        media_sock.close()
    assert talking.leg_id is not None and held.leg_id is None
    samples = np.array(heard[-4000:], dtype=np.int16)
    assert band_energy(samples, 8000, 1300.0) < 0.05 and band_energy(samples, 8000, 425.0, width=60) > 0.5
