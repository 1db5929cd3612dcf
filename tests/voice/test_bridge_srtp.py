"""SDES-SRTP towards terminals that offer it: a real baresip with srtp-mand, a pylibsrtp peer, refusals, tampering."""

from __future__ import annotations

import asyncio
import base64
import logging
import secrets
import socket
from pathlib import Path
from typing import Any

import numpy as np
import pylibsrtp
import pytest
from sqlalchemy import select

from qorgau.core.db import Database
from qorgau.ingest.adapters.sip import sdp
from qorgau.ingest.adapters.sip.models import SipCall
from qorgau.settings import Settings
from qorgau.voice.bridge import g711, rtp
from qorgau.voice.control import CallMedia
from qorgau.voice.models import VoiceCall
from tests.ingest.adapters.sip.conftest import run, terminals  # noqa: F401 - fixtures
from tests.ingest.adapters.sip.raw import UdpClient, to_tag
from tests.voice.bridge_peers import BARESIP, Browser, band_energy, baresip, dominant_hz, tone, voice_stack, write_wav
from tests.voice.test_bridge_media import near, until, windows
from tests.voice.test_sip_faults import media_of, wait_db

TERMINAL_HZ, OPERATOR_HZ, HOLD_HZ = 700.0, 1300.0, 425.0
SRTP_MODULE = Path("/usr/lib/baresip/modules/srtp.so")


def savp_offer(port: int, key: bytes, suites: tuple[str, ...] = ("AES_CM_128_HMAC_SHA1_80",)) -> str:
    inline = base64.b64encode(key).decode()
    cryptos = "".join(f"a=crypto:{tag} {suite} inline:{inline}|2^31\r\n" for tag, suite in enumerate(suites, 1))
    return ("v=0\r\no=t 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            f"m=audio {port} RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n{cryptos}")


@pytest.mark.skipif(BARESIP is None or not SRTP_MODULE.exists(), reason="baresip or its srtp module is missing")
@pytest.mark.timeout(60)
@pytest.mark.parametrize("codec", ["g711", "opus"])
def test_baresip_with_mandatory_srtp_and_the_browser_hear_each_other(
        terminals: Database, settings: Settings, tmp_path: Path, run: Any, codec: str,  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    source = write_wav(tmp_path / "terminal.wav", tone(TERMINAL_HZ, 20.0))

    async def scenario() -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], int, CallMedia, str]:
        async with voice_stack(terminals, settings) as stack, \
                baresip(tmp_path / "baresip", stack.port, source=source, codecs=(codec, "srtp"),
                        account=";mediaenc=srtp-mand") as terminal:
            calls = await until(lambda: _active(stack), 10, "the terminal's SRTP at the bridge")
            call_id = calls[0].call_id
            answer = next(iter(stack.bridge.calls.values())).sip
            assert answer is not None and answer.sdp_answer is not None
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
        return at_browser, heard, rate, media, answer.sdp_answer

    caplog.set_level(logging.DEBUG)
    at_browser, at_terminal, rate, media, answer = run(scenario())
    assert " RTP/SAVP " in answer and "a=crypto:" in answer and media.codec == {"g711": "PCMU", "opus": "opus"}[codec]
    ours = answer.split(" inline:")[1].split("\r\n")[0].split("|")[0]
    assert len(base64.b64decode(ours)) == 30
    assert caplog.records and not any(ours in record.getMessage() or ours in str(record.__dict__)
                                      for record in caplog.records)
    assert media.rx_packets > 50 and media.tx_packets > 50
    assert media.problems.srtp_auth == 0 and media.problems.wrong_port == 0  # its SRTCP is neither
    assert near(dominant_hz(at_browser[-8000:], 8000), TERMINAL_HZ)  # decrypted terminal audio at the browser
    seq = windows(at_terminal, rate)
    assert len([hz for hz in seq if near(hz, OPERATOR_HZ)]) >= 2, seq  # baresip decrypted the operator's tone


def test_srtp_peer_hears_the_hold_tone_and_tampered_or_plain_packets_are_dropped_and_counted(
        terminals: Database, settings: Settings, run: Any) -> None:  # noqa: F811
    media_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    media_sock.bind(("127.0.0.1", 0))
    media_sock.setblocking(False)
    peer_key = secrets.token_bytes(30)
    sender = pylibsrtp.Session(pylibsrtp.Policy(key=peer_key, ssrc_type=pylibsrtp.Policy.SSRC_ANY_OUTBOUND))

    async def scenario() -> tuple[sdp.Offer, bytes, CallMedia, CallMedia, list[bytes], list[VoiceCall]]:
        async with voice_stack(terminals, settings) as stack:
            client = await UdpClient(stack.port).open()
            client.send("INVITE", branch="z9hG4bK-s1", body=savp_offer(media_sock.getsockname()[1], peer_key,
                                                                       ("AES_256_CM_HMAC_SHA1_80",
                                                                        "AES_CM_128_HMAC_SHA1_80")))
            ok = await client.until(200, timeout=5)
            answer = sdp.parse_offer(ok.body)
            assert answer is not None
            client.send("ACK", branch="z9hG4bK-s2", to_tag=to_tag(ok))
            target = ("127.0.0.1", answer.port)
            received: list[bytes] = []
            pcm = g711.encode(tone(TERMINAL_HZ, 0.02), 0)
            for seq in range(50):  # one second of the terminal's tone, protected with its own key
                media_sock.sendto(sender.protect(rtp.build(0, seq, 160 * seq, 7, pcm)), target)
                await asyncio.sleep(0.02)
                while True:
                    try:
                        received.append(media_sock.recv(2048))
                    except BlockingIOError:
                        break
            clean = await media_of(stack, lambda m: m.rx_packets >= 45)
            tampered = bytearray(sender.protect(rtp.build(0, 60, 160 * 60, 7, pcm)))
            tampered[30] ^= 0x01  # one bit of the ciphertext: the authentication tag no longer matches
            media_sock.sendto(bytes(tampered), target)
            media_sock.sendto(rtp.build(0, 61, 160 * 61, 7, pcm), target)  # plain RTP on an SRTP call
            replayed = sender.protect(rtp.build(0, 62, 160 * 62, 7, pcm))
            media_sock.sendto(replayed, target)
            media_sock.sendto(replayed, target)  # a duplicate: dropped, not a problem
            receiver_report = bytes([0x81, 201, 0, 7]) + bytes(28)  # RTCP, muxed and at the RTCP port: not RTP
            media_sock.sendto(receiver_report, target)
            media_sock.sendto(receiver_report, ("127.0.0.1", answer.port + 1))
            faulty = await media_of(stack, lambda m: m.problems.srtp_auth == 2 and m.rx_packets == clean.rx_packets + 1)
            client.send("BYE", branch="z9hG4bK-s3", cseq=2, to_tag=to_tag(ok))
            await client.until(200)
            client.close()
            rows = await wait_db(terminals, lambda rows: rows and rows[0].state == "ended")
            return answer, ok.body, clean, faulty, received, rows

    try:
        answer, body, clean, faulty, received, rows = run(scenario())
    finally:
        media_sock.close()
    # The answer: RTP/SAVP, the first suite we support in the terminal's order, with its tag and a fresh key.
    assert answer.profile == "RTP/SAVP" and answer.codec() == 0
    crypto = answer.srtp()
    assert crypto is not None and crypto.tag == 2 and crypto.suite == "AES_CM_128_HMAC_SHA1_80"
    assert crypto.key != peer_key and len(crypto.key) == 30
    assert body.count(b"a=crypto:") == 1
    assert clean.problems.srtp_auth == 0 and faulty.problems.model_dump()["srtp_auth"] == 2
    assert faulty.problems.wrong_port == 0
    # What the bridge sent is SRTP under its answered key: the hold tone (nobody answered) comes out of it.
    receiver = pylibsrtp.Session(pylibsrtp.Policy(key=crypto.key, ssrc_type=pylibsrtp.Policy.SSRC_ANY_INBOUND))
    assert len(received) > 20 and all(rtp.parse(data) is not None for data in received)
    assert all(len(data) == 12 + 160 + 10 for data in received)  # an 80-bit authentication tag on each
    samples = np.concatenate([g711.decode(rtp.parse(receiver.unprotect(data)).payload, 0)  # type: ignore[union-attr]
                              for data in received])
    assert band_energy(samples, 8000, HOLD_HZ, width=60) > 0.6
    assert rows[0].problems.get("srtp_auth") == 2 and "wrong_port" not in rows[0].problems
    with terminals.reading() as session:  # the SIP call record keeps the SDP, never the keys of either side
        stored = session.scalars(select(SipCall)).one()
    assert stored.sdp_offer and stored.sdp_answer and "inline:[redacted]" in stored.sdp_answer
    for key in (peer_key, crypto.key):
        secret = base64.b64encode(key).decode()
        assert secret not in stored.sdp_offer and secret not in stored.sdp_answer


def test_savp_with_only_unsupported_suites_is_refused_488_and_recorded(
        terminals: Database, settings: Settings, run: Any) -> None:  # noqa: F811
    async def scenario() -> list[VoiceCall]:
        async with voice_stack(terminals, settings) as stack:
            client = await UdpClient(stack.port).open()
            body = savp_offer(49170, secrets.token_bytes(30), ("AES_256_CM_HMAC_SHA1_80", "F8_128_HMAC_SHA1_80"))
            client.send("INVITE", branch="z9hG4bK-u1", body=body)
            refused = await client.until(488, timeout=5)
            assert "305" in (refused.get("warning") or "") and not refused.body
            client.send("ACK", branch="z9hG4bK-u1", to_tag=to_tag(refused))
            no_crypto = body.split("a=crypto")[0]  # RTP/SAVP and no key at all: refused as well
            client.call_id = "nocrypto@127.0.0.1"
            client.send("INVITE", branch="z9hG4bK-u2", body=no_crypto)
            again = await client.until(488, timeout=5)
            client.send("ACK", branch="z9hG4bK-u2", to_tag=to_tag(again))
            client.close()
            assert stack.bridge.calls == {} and stack.bridge.pool.in_use == 0
            return await wait_db(terminals, lambda rows: len(rows) == 2 and all(r.state == "ended" for r in rows))

    rows = run(scenario())
    assert [(r.end_reason, r.problems) for r in rows] == [("refused", {}), ("refused", {})]


async def _active(stack: Any) -> list[CallMedia]:
    return [call for call in await stack.client.calls() if call.rx_packets > 10]


async def _heard(browser: Browser, seconds: float) -> bool:
    return bool(browser.samples().shape[0] >= seconds * 8000)
