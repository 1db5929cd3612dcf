"""The simulated caller's speech: the shipped phrases, G.711 against the bridge's codec, SDP answers, and RTP sent
over a real call to a raw SIP peer (what arrives is the phrase, paced at 50 packets a second)."""

from __future__ import annotations

import asyncio
import itertools
import random
import struct
import time
import wave

import numpy as np

from qorgau.protocols.sip.parser import SipMessage
from qorgau.simulator.sip_caller import CallResult, place_call
from qorgau.simulator.voice_phrases import PHRASES, SAMPLE_RATE, path_of, pick, samples
from qorgau.simulator.voice_rtp import FRAME, MediaTarget, encode, encoded_phrase, parse_answer
from qorgau.voice.bridge import g711
from qorgau.voice.bridge.trunk import caller_number, split_body
from tests.simulator.test_sip_caller import _Inbox, raw_peer, timeline


def test_phrases_are_shipped_short_and_spoken() -> None:
    assert {(p.lang, p.line) for p in PHRASES} >= {("kk", "sos"), ("ru", "sos"), ("kk", "line102"), ("ru", "line102")}
    for phrase in PHRASES:
        with wave.open(str(path_of(phrase)), "rb") as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SAMPLE_RATE)
            seconds = wav.getnframes() / SAMPLE_RATE
        assert 1.5 < seconds < 10, (phrase.name, seconds)
        assert path_of(phrase).stat().st_size < 200_000
        pcm = np.frombuffer(samples(phrase.name), dtype=np.int16).astype(np.float64)
        # Speech, not silence: a loud enough signal with most of its energy in the voice band.
        assert np.sqrt(np.mean(pcm**2)) > 500, phrase.name
        spectrum = np.abs(np.fft.rfft(pcm)) ** 2
        freqs = np.fft.rfftfreq(len(pcm), 1 / SAMPLE_RATE)
        assert spectrum[(freqs > 100) & (freqs < 3400)].sum() / spectrum.sum() > 0.9, phrase.name
    assert pick(random.Random(1), "sos").line == "sos" and pick(random.Random(1), "line102").line == "line102"


def test_g711_matches_the_bridge_and_round_trips() -> None:
    pcm = np.arange(-32768, 32768, dtype=np.int16)
    for pt in (0, 8):
        ours = encode(pcm.tobytes(), pt)
        assert ours == g711.encode(pcm, pt), pt  # bit-exact with the bridge's tables (and audioop)
        back = g711.decode(ours, pt).astype(np.int32)
        # Companding keeps the sample within its segment's step: under 1/16 of its size (plus the smallest step).
        assert np.all(np.abs(back - pcm.astype(np.int32)) <= np.abs(pcm.astype(np.int32)) / 16 + 16), pt


def test_sdp_answers_are_read_for_address_port_and_codec() -> None:
    answer = ("v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n"
              "m=audio 40002 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n")
    assert parse_answer(answer) == MediaTarget("10.0.0.5", 40002, 8)
    media_level = answer.replace("a=rtpmap:8", "c=IN IP4 127.0.0.9\r\na=rtpmap:8")
    assert parse_answer(media_level) == MediaTarget("127.0.0.9", 40002, 8)
    assert parse_answer(answer.replace("m=audio 40002", "m=audio 0")) is None  # the stream refused
    assert parse_answer(answer.replace("RTP/AVP 8 101", "RTP/AVP 18")) is None  # no G.711 in it
    assert parse_answer("v=0\r\n") is None and parse_answer(None) is None


class _Rtp(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.packets: list[tuple[float, bytes]] = []

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.packets.append((time.monotonic(), data))


def test_a_call_with_a_phrase_streams_it_as_rtp() -> None:
    async def scenario() -> tuple[CallResult, list[tuple[float, bytes]], bytes]:
        loop = asyncio.get_running_loop()
        rtp_transport, rtp = await loop.create_datagram_endpoint(_Rtp, local_addr=("127.0.0.1", 0))
        media_port = int(rtp_transport.get_extra_info("sockname")[1])
        try:
            async with raw_peer() as (peer, port):
                call = asyncio.create_task(place_call("127.0.0.1", port, user="SOS-01", hold_s=1.2, timeout_s=5,
                                                      phrase="sos-kk-1"))
                invite, source = await peer.recv()
                offer = invite.body.decode()
                announced = int(next(line for line in offer.splitlines() if line.startswith("m=audio")).split()[1])
                sdp = (f"v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                       f"m=audio {media_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n").encode()
                contact = ("Contact", f"<sip:peer@127.0.0.1:{port}>")
                peer.answer(invite, 200, source, headers=[contact], body=sdp, content_type="application/sdp")
                await _expect(peer, "ACK")
                # The operator's side talks back to the port the offer announced.
                back = struct.pack("!BBHII", 0x80, 0, 1, 160, 7) + bytes(FRAME)
                for _ in range(5):
                    rtp_transport.sendto(back, ("127.0.0.1", announced))
                bye = await _expect(peer, "BYE")
                peer.answer(bye, 200, source)
                return await call, rtp.packets, offer.encode()
        finally:
            rtp_transport.close()

    result, packets, offer = asyncio.run(scenario())
    assert result.ok, result
    timeline(result)
    assert b"m=audio " in offer
    # Up to 1.2 s held at 50 packets a second (a loaded machine starts the stream late: the span below says how
    # long it ran, and the count must fit it).
    assert 25 <= len(packets) <= 70 and result.rtp_sent == len(packets), (len(packets), result.rtp_sent)
    assert result.rtp_received == 5
    headers = [struct.unpack("!BBHII", data[:12]) for _, data in packets]
    assert all(h[0] == 0x80 for h in headers) and headers[0][1] == 0x80 and all(h[1] == 0 for h in headers[1:])
    assert len({h[4] for h in headers}) == 1  # one SSRC
    seqs = [h[2] for h in headers]
    assert all((b - a) & 0xFFFF == 1 for a, b in itertools.pairwise(seqs))
    stamps = [h[3] for h in headers]
    assert all((b - a) & 0xFFFFFFFF == FRAME for a, b in itertools.pairwise(stamps))
    # What arrived is the phrase itself, in µ-law, 20 ms to a packet, paced from the start without drift.
    payload = b"".join(data[12:] for _, data in packets)
    assert payload == encoded_phrase("sos-kk-1", 0)[: len(payload)]
    span = packets[-1][0] - packets[0][0]
    assert abs(span - (len(packets) - 1) * 0.02) < 0.25, span


async def _expect(peer: _Inbox, method: str) -> SipMessage:
    """The next request of `method` (retransmissions of others are skipped)."""
    while True:
        message, _ = await peer.recv()
        if message.method == method:
            return message


def test_a_102_call_carries_the_number_and_the_place_as_the_trunk_reads_them() -> None:
    async def scenario() -> tuple[CallResult, SipMessage]:
        async with raw_peer() as (peer, port):
            call = asyncio.create_task(place_call("127.0.0.1", port, user="+77011234567", target="102", hold_s=0.2,
                                                  timeout_s=5, phrase="102-ru-1", location=(53.0115, 51.1739)))
            invite, source = await peer.recv()
            contact = ("Contact", f"<sip:peer@127.0.0.1:{port}>")
            peer.answer(invite, 486, source, headers=[contact])
            await _expect(peer, "ACK")
            return await call, invite

    result, invite = asyncio.run(scenario())
    assert result.status == 486 and result.rtp_sent == 0  # refused: nothing said
    assert (invite.uri or "").startswith("sip:102@") and (invite.get("geolocation") or "").startswith("<cid:loc-")
    assert (invite.get("content-type") or "").startswith("multipart/mixed;boundary=")
    # The voice process's trunk reads the caller's number and place from it, and the SDP alone.
    sdp, location = split_body(invite)
    assert caller_number(invite) == "+77011234567"
    assert location == (53.0115, 51.1739)
    assert sdp.startswith(b"v=0\r\n") and b"m=audio " in sdp and b"pidf" not in sdp
