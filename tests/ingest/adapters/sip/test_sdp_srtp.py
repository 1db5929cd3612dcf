"""SDES crypto lines (RFC 4568) in the SOS call's offer/answer: what is accepted, refused, and never shown."""

from __future__ import annotations

import base64
import secrets

from qorgau.ingest.adapters.sip.sdp import answer, parse_crypto, parse_offer, redact_keys, refusal

KEY = secrets.token_bytes(30)
INLINE = base64.b64encode(KEY).decode()


def savp(*cryptos: str, profile: str = "RTP/SAVP") -> bytes:
    lines = "".join(f"a=crypto:{c}\r\n" for c in cryptos)
    return (f"v=0\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 4000 {profile} 0 101\r\n"
            f"a=rtpmap:101 telephone-event/8000\r\n{lines}").encode()


def test_crypto_lines_are_parsed_strictly() -> None:
    parsed = parse_crypto(f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}|2^20")
    assert parsed is not None and (parsed.tag, parsed.suite, parsed.key) == (1, "AES_CM_128_HMAC_SHA1_80", KEY)
    assert INLINE not in repr(parsed) and repr(KEY) not in repr(parsed)
    assert parse_crypto(f"2 AES_CM_128_HMAC_SHA1_32 inline:{INLINE.rstrip('=')}") is not None  # padding optional
    for bad in (f"1 AES_256_CM_HMAC_SHA1_80 inline:{INLINE}",  # a suite we do not implement
                f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}|2^20|1:4",  # an MKI
                f"1 AES_CM_128_HMAC_SHA1_80 inline:{base64.b64encode(KEY[:16]).decode()}",  # key without salt
                "1 AES_CM_128_HMAC_SHA1_80 inline:***not-base64***", "x AES_CM_128_HMAC_SHA1_80 inline:AAAA",
                "1 AES_CM_128_HMAC_SHA1_80 uri:https://keys.invalid/1", "1"):
        assert parse_crypto(bad) is None, bad


def test_savp_offer_is_answered_with_our_key_in_its_first_supported_suite() -> None:
    offer = parse_offer(savp(f"1 AES_256_CM_HMAC_SHA1_80 inline:{INLINE}", f"5 AES_CM_128_HMAC_SHA1_32 inline:{INLINE}",
                             f"6 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}"))
    assert offer is not None and offer.secure and offer.refusal() is None
    assert [c.tag for c in offer.crypto] == [5, 6]
    ours = secrets.token_bytes(30)
    body = answer(offer, address="10.1.1.1", port=40002, key=ours)
    assert body is not None
    text = body.decode()
    assert "m=audio 40002 RTP/SAVP 0 101" in text
    assert f"a=crypto:5 AES_CM_128_HMAC_SHA1_32 inline:{base64.b64encode(ours).decode()}\r\n" in text
    assert text.count("a=crypto:") == 1 and INLINE not in text  # never the terminal's key back
    assert base64.b64encode(ours).decode() not in (redact_keys(text) or "")
    assert "AES_CM_128_HMAC_SHA1_32 inline:[redacted]" in (redact_keys(text) or "") and redact_keys(None) is None
    savpf = parse_offer(savp(f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}", profile="RTP/SAVPF"))
    assert savpf is not None and b"RTP/SAVPF 0" in (answer(savpf, address="h", port=2) or b"")


def test_savp_without_a_supported_suite_is_refused_and_plain_offers_stay_plain() -> None:
    unsupported = parse_offer(savp(f"1 AES_256_CM_HMAC_SHA1_80 inline:{INLINE}"))
    assert unsupported is not None and unsupported.refusal() == "no_common_crypto"
    assert answer(unsupported, address="h", port=2) is None and refusal(unsupported) == "no_common_crypto"
    dtls = parse_offer(savp(profile="UDP/TLS/RTP/SAVP"))
    assert dtls is not None and dtls.refusal() == "no_common_crypto"
    plain = parse_offer(savp(f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}", profile="RTP/AVP"))
    assert plain is not None and not plain.secure and plain.refusal() is None
    body = answer(plain, address="h", port=2)  # a=crypto in an RTP/AVP offer: answered as plain RTP, as before
    assert body is not None and b"RTP/AVP 0" in body and b"crypto" not in body
    assert refusal(None) == "no_common_codec"
