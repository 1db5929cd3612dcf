"""SDP answers, media ports and configuration, without sockets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from qorgau.ingest.adapters.sip.adapter import SipAdapter, create
from qorgau.ingest.adapters.sip.config import SipConfig
from qorgau.ingest.adapters.sip.dialogs import MediaPorts
from qorgau.ingest.adapters.sip.manifest import MANIFEST
from qorgau.ingest.adapters.sip.sdp import answer, offer, parse_offer
from qorgau.settings import Settings

OFFER = (b"v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n"
         b"m=audio 4000 RTP/AVP 18 8 0 101\r\na=rtpmap:18 G729/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
         b"a=sendrecv\r\nm=video 5000 RTP/AVP 96\r\n")


def test_sdp_answer_takes_the_offered_g711_and_points_at_the_bridge_port() -> None:
    parsed = parse_offer(OFFER)
    assert parsed is not None and (parsed.address, parsed.port, parsed.codec()) == ("192.0.2.5", 4000, 8)
    body = answer(parsed, address="10.1.1.1", port=40002, session_id=7)
    assert body is not None
    text = body.decode()
    assert "c=IN IP4 10.1.1.1" in text and "m=audio 40002 RTP/AVP 8 101" in text
    assert "a=rtpmap:8 PCMA/8000" in text and "G729" not in text
    only_g729 = parse_offer(b"v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 18\r\n")
    assert only_g729 is not None and answer(only_g729, address="h", port=1) is None
    assert parse_offer(b"v=0\r\nm=video 1 RTP/AVP 96\r\n") is None and parse_offer(b"\xff\x00garbage") is None
    assert b"RTP/AVP 0 8 101" in offer(address="::1", port=40000) and b"IN IP6 ::1" in offer(address="::1", port=2)


def test_media_ports_are_even_and_reused() -> None:
    ports = MediaPorts(40001, 40006)
    first, second = ports.take(), ports.take()
    assert (first, second, ports.take()) == (40002, 40004, 40006) and ports.take() is None
    ports.give(first)
    assert ports.take() == first and ports.in_use == 3


def test_config_is_strict_and_create_follows_the_settings(tmp_path: object) -> None:
    with pytest.raises(ValidationError):
        SipConfig.model_validate({"port": 5060, "colour": "red"})
    with pytest.raises(ValidationError):
        SipConfig(t1_s=2, t2_s=1)
    assert create(Settings(sip_enabled=False)) is None
    adapter = create(Settings(sip_port=0, ingest_host="127.0.0.1"))
    assert isinstance(adapter, SipAdapter) and adapter.port == 0 and adapter.name == "sip"
    assert MANIFEST.name == "sip" and "udp" in MANIFEST.transports
