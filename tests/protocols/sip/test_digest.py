"""Digest authentication both ways: the listener's challenges and checks, a terminal's answers (RFC 2617)."""

from __future__ import annotations

import hashlib

import pytest

from qorgau.protocols.sip.digest import DigestAuth, Verdict, digest_authorization, parse_credentials


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _authorization(nonce: str, password: str, *, realm: str = "qorgau", qop: bool = True, nc: int = 1,
                   uri: str = "sip:sos@h") -> str:
    ha1, ha2 = _md5(f"7002:{realm}:{password}"), _md5(f"INVITE:{uri}")
    if qop:
        digest = _md5(f"{ha1}:{nonce}:{nc:08x}:c0ffee:auth:{ha2}")
        return (f'Digest username="7002", realm="{realm}", nonce="{nonce}", uri="{uri}", '
                f'response="{digest}", algorithm=MD5, qop=auth, nc={nc:08x}, cnonce="c0ffee"')
    return (f'Digest username="7002",realm="{realm}",nonce="{nonce}",uri="{uri}",'
            f'response="{_md5(f"{ha1}:{nonce}:{ha2}")}"')


def test_digest_accepts_right_answers_only() -> None:
    auth = DigestAuth("qorgau", ttl_s=60)
    nonce = auth.nonce()
    check = {"method": "INVITE", "uri": "sip:sos@h", "username": "7002", "password": "pw"}
    assert auth.check(_authorization(nonce, "pw"), **check).ok  # type: ignore[arg-type]
    nonce = auth.nonce()  # the count 1 of the last one is spent
    assert auth.check(_authorization(nonce, "pw", qop=False), **check).ok  # type: ignore[arg-type]
    assert auth.check(_authorization(nonce, "bad"), **check).reason == "auth_failed"  # type: ignore[arg-type]
    assert auth.check(None, **check).reason == "auth_missing"  # type: ignore[arg-type]
    assert auth.check(_authorization(nonce, "pw", realm="x"), **check).reason == "auth_realm"  # type: ignore[arg-type]
    forged = nonce[:-1] + ("0" if nonce[-1] != "0" else "1")
    assert auth.check(_authorization(forged, "pw"), **check).reason == "auth_failed"  # type: ignore[arg-type]
    old = auth.nonce(now=1_000_000.0)
    stale = auth.check(_authorization(old, "pw"), **check)  # type: ignore[arg-type]
    assert not stale.ok and stale.stale
    assert "stale=true" in auth.challenge(stale=True) and 'qop="auth"' in auth.challenge()


def test_credentials_parsing() -> None:
    assert parse_credentials('Digest a="x,y", b=1 ,c="q\\"z"') == {"a": "x,y", "b": "1", "c": 'q"z'}
    assert parse_credentials("Basic abc") is None


def test_digest_response_matches_rfc_2617_example() -> None:
    challenge = ('Digest realm="testrealm@host.com", qop="auth,auth-int", '
                 'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"')
    value = digest_authorization(challenge, method="GET", uri="/dir/index.html", username="Mufasa",
                                 password="Circle Of Life", cnonce="0a4f113b")
    assert 'response="6629fae49393a05397450978507c4ef1"' in value
    assert "qop=auth," in value and "nc=00000001" in value and 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in value
    with pytest.raises(ValueError, match="algorithm"):
        digest_authorization('Digest realm="r", nonce="n", algorithm=SHA-256', method="INVITE", uri="sip:x",
                             username="u", password="p")


URI = "sip:sos@127.0.0.1:5060"


def _check(auth: DigestAuth, header: str, now: float | None = None) -> Verdict:
    return auth.check(header, method="INVITE", uri=URI, username="7002", password="pw", now=now)


def test_an_answer_for_another_request_uri_is_refused() -> None:
    auth = DigestAuth("qorgau", ttl_s=60)
    nonce = auth.nonce()
    elsewhere = _check(auth, _authorization(nonce, "pw", uri="sip:sos@elsewhere"))
    assert (elsewhere.ok, elsewhere.reason) == (False, "auth_uri")
    assert _check(auth, _authorization(nonce, "pw", uri=URI)).ok


def test_nonce_counts_must_grow_a_replay_is_refused() -> None:
    auth = DigestAuth("qorgau", ttl_s=60)
    nonce, uri = auth.nonce(), URI
    assert _check(auth, _authorization(nonce, "pw", uri=uri, nc=1)).ok
    replay = _check(auth, _authorization(nonce, "pw", uri=uri, nc=1))
    assert (replay.ok, replay.stale, replay.reason) == (False, False, "auth_replay")
    assert _check(auth, _authorization(nonce, "pw", uri=uri, nc=2)).ok
    assert _check(auth, _authorization(nonce, "pw", uri=uri, nc=2)).reason == "auth_replay"
    assert _check(auth, _authorization(nonce, "pw", uri=uri, nc=7)).ok
    # A wrong answer spends no count: the terminal's next right one with that count still passes.
    other = auth.nonce()
    assert not _check(auth, _authorization(other, "bad", uri=uri, nc=1)).ok
    assert _check(auth, _authorization(other, "pw", uri=uri, nc=1)).ok


def test_counts_of_expired_nonces_are_forgotten() -> None:
    auth = DigestAuth("qorgau", ttl_s=60)
    uri = URI
    for k in range(50):
        nonce = auth.nonce(now=1_000.0 + k)
        assert _check(auth, _authorization(nonce, "pw", uri=uri), now=1_000.0 + k).ok
    later = auth.nonce(now=2_000.0)
    assert _check(auth, _authorization(later, "pw", uri=uri), now=2_000.0).ok
    assert len(auth._counts) == 1
