"""SIP parsing: compact forms, folding, framing over TCP, and that no input raises anything but SipParseError."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.protocols.sip.parser import (
    MAX_MESSAGE,
    Framer,
    SipParseError,
    envelope,
    parse,
    parse_name_addr,
    parse_via,
)
from qorgau.protocols.sip.render import response, stamp_via

INVITE = (b"INVITE sip:sos@10.0.0.1 SIP/2.0\r\n"
          b"v: SIP/2.0/UDP 10.0.0.9:5062;branch=z9hG4bK-1;rport, SIP/2.0/TCP proxy:5060;branch=z9hG4bK-0\r\n"
          b"f: \"Gate\" <sip:7001@10.0.0.9>;tag=abc\r\nt: <sip:sos@10.0.0.1>\r\ni: call-1@10.0.0.9\r\n"
          b"CSeq: 7 INVITE\r\nSubject: SOS\r\n  pressed\r\nc: application/sdp\r\nl: 4\r\n\r\nv=0\r\nextra")


def test_compact_forms_lists_and_folding() -> None:
    message = parse(INVITE)
    assert message.method == "INVITE" and message.uri == "sip:sos@10.0.0.1"
    assert len(message.get_all("via")) == 2
    assert message.get("subject") == "SOS pressed"
    assert message.body == b"v=0\r"  # Content-Length bounds the body
    env = envelope(message)
    assert env.from_.user == "7001" and env.from_.tag == "abc" and env.from_.display == "Gate"
    assert env.call_id == "call-1@10.0.0.9" and (env.cseq, env.cseq_method) == (7, "INVITE")
    assert env.branch == "z9hG4bK-1" and env.vias[0].port == 5062


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"), (b"\r\n\r\n", "empty"), (b"HELLO\r\n\r\n", "bad_start_line"),
    (b"INVITE sip:a SIP/3.0\r\nVia: x\r\n\r\n", "bad_version"),
    (b"INVITE sip:a SIP/2.0\r\nl: 99\r\n\r\nshort", "truncated_body"),
    (b"INVITE sip:a SIP/2.0\r\nl: -1\r\n\r\n", "bad_content_length"),
    (b"INVITE sip:a SIP/2.0\r\nno colon here\r\n\r\n", "bad_header"),
    (b"x" * (MAX_MESSAGE + 1), "too_large"),
])
def test_errors_by_reason(data: bytes, reason: str) -> None:
    with pytest.raises(SipParseError) as caught:
        parse(data)
    assert caught.value.reason == reason


def test_envelope_needs_the_mandatory_headers() -> None:
    message = parse(b"OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK-x\r\n\r\n")
    with pytest.raises(SipParseError) as caught:
        envelope(message)
    assert caught.value.reason == "missing_header" and caught.value.partial is message


def test_addresses_and_via() -> None:
    bare = parse_name_addr("sip:7001@h;tag=1")
    assert bare.user == "7001" and bare.tag == "1"
    assert parse_name_addr("<sips:u:pw@[::1]:5061;transport=tls>;tag=x").user == "u"
    via = parse_via("SIP / 2.0 / tcp [::1]:5070 ;branch=z9hG4bK-9;received=1.2.3.4")
    assert (via.transport, via.host, via.port, via.branch) == ("TCP", "::1", 5070, "z9hG4bK-9")
    for bad in ("SIP/2.0/UDP", "HTTP/1.1 x", "SIP/2.0/UDP h:99999"):
        with pytest.raises(SipParseError):
            parse_via(bad)


def test_response_copies_headers_adds_tag_and_rport() -> None:
    message = parse(INVITE)
    data = response(message, 180, source=("192.0.2.7", 40000), to_tag="t1", headers=[("contact", "<sip:x>")])
    reply = parse(data)
    assert reply.status == 180 and reply.get("to") == "<sip:sos@10.0.0.1>;tag=t1"
    top, second = reply.get_all("via")
    assert top.endswith(";received=192.0.2.7;rport=40000") and second == "SIP/2.0/TCP proxy:5060;branch=z9hG4bK-0"
    assert reply.get("call-id") == "call-1@10.0.0.9" and reply.get("cseq") == "7 INVITE"
    assert reply.get("contact") == "<sip:x>"
    assert stamp_via("SIP/2.0/UDP 10.0.0.9:5062;branch=b", ("10.0.0.9", 5062)) == "SIP/2.0/UDP 10.0.0.9:5062;branch=b"


def test_framer_splits_joins_and_bounds_the_stream() -> None:
    one = parse(INVITE)
    whole = INVITE[: INVITE.index(b"v=0") + 4]
    framer = Framer()
    assert framer.feed(b"\r\n\r\n" + whole[:30]) == [] and framer.keepalives == 1
    got = framer.feed(whole[30:] + whole)
    assert [m.body for m in got] == [one.body, one.body] and framer.pending == 0
    small = Framer(max_message=256)
    with pytest.raises(SipParseError) as caught:
        small.feed(b"OPTIONS sip:a SIP/2.0\r\n" + b"X: y\r\n" * 100)
    assert caught.value.reason == "too_large"


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise_anything_else(data: bytes) -> None:
    for candidate in (data, INVITE[: len(data) % len(INVITE)] + data):
        with contextlib.suppress(SipParseError):
            envelope(parse(candidate))
        framer = Framer(max_message=1024)
        try:
            for message in framer.feed(candidate):
                envelope(message)
        except SipParseError:
            pass


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["INVITE", "Via:", "v:", " ", "\r\n", ":", ";", "<", ">", "\"", ",", "sip:",
                                 "SIP/2.0", "l: 3", "tag=", "CSeq: 1 INVITE", "é", "\t", "@", "[", "]"]),
                max_size=60))
def test_sip_like_text_never_raises_anything_else(parts: list[str]) -> None:
    try:
        message = parse("".join(parts).encode())
        response(message, 400, source=("127.0.0.1", 1), to_tag="x")
        envelope(message)
    except SipParseError:
        pass
