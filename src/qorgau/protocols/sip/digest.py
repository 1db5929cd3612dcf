"""HTTP digest authentication for SIP (RFC 2617 MD5 with qop=auth, as RFC 3261 §22 uses it): both ends.

The server side (`DigestAuth`) issues nonces that are a time stamp signed with a per-process key, so any
listener task can check them and a nonce expires after `ttl_s`. Within that time a captured answer is no key:
the `uri` must be the request's own (RFC 2617 §3.2.2.5), and with qop=auth each nonce's count (`nc`) must grow
(§3.2.2: the server keeps the counts it has seen and refuses a repeat), so a replayed request is challenged again.
The counts are kept per nonce only while the nonce is fresh. The client side (`digest_authorization`) answers a
challenge as a terminal does. MD5 is what terminals speak; it authenticates, it protects nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def parse_credentials(value: str) -> dict[str, str] | None:
    """`Digest username="a", nc=00000001, …` → its parameters (names lower-cased); None if not Digest."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i] in " ,\t":
            i += 1
        eq = rest.find("=", i)
        if eq < 0:
            break
        name = rest[i:eq].strip().lower()
        i = eq + 1
        while i < n and rest[i] in " \t":
            i += 1
        if i < n and rest[i] == '"':
            j, chars = i + 1, []
            while j < n and rest[j] != '"':
                if rest[j] == "\\" and j + 1 < n:
                    j += 1
                chars.append(rest[j])
                j += 1
            value_text, i = "".join(chars), j + 1
        else:
            j = rest.find(",", i)
            j = n if j < 0 else j
            value_text, i = rest[i:j].strip(), j
        if name:
            params[name] = value_text
    return params


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    stale: bool = False  # the credentials were right but the nonce expired: re-challenge with stale=true
    reason: str = "auth_missing"


class DigestAuth:
    """Issues challenges and checks answers for one realm."""

    MAX_NONCES = 100_000  # counts kept at most (oldest forgotten first: their nonces are the first to expire)

    def __init__(self, realm: str, ttl_s: float = 300.0, key: bytes | None = None) -> None:
        self.realm = realm
        self.ttl_s = ttl_s
        self._key = key or secrets.token_bytes(32)
        self._counts: OrderedDict[str, tuple[int, float]] = OrderedDict()  # nonce → highest nc accepted, issued at

    def nonce(self, now: float | None = None) -> str:
        stamp = f"{int((now or time.time()) * 1000):x}.{secrets.token_hex(4)}"
        return f"{stamp}.{self._sign(stamp)}"

    def _sign(self, stamp: str) -> str:
        return hmac.new(self._key, stamp.encode(), hashlib.sha256).hexdigest()[:24]

    def challenge(self, *, stale: bool = False) -> str:
        header = f'Digest realm="{self.realm}", nonce="{self.nonce()}", algorithm=MD5, qop="auth"'
        return header + (", stale=true" if stale else "")

    def _issued(self, nonce: str) -> float | None:
        """When a nonce of ours was issued; None when it is not ours (forged or malformed)."""
        stamp, _, signature = nonce.rpartition(".")
        if not stamp or not hmac.compare_digest(signature, self._sign(stamp)):
            return None
        try:
            return int(stamp.split(".", 1)[0], 16) / 1000
        except ValueError:
            return None

    def _count_is_new(self, nonce: str, count: int, issued: float, now: float) -> bool:
        """Record `count` for `nonce` if it is above every count accepted with it before (else: a replay)."""
        counts = self._counts
        while counts:  # forget the counts of expired nonces, oldest first
            oldest, (_, at) = next(iter(counts.items()))
            if now - at <= self.ttl_s and len(counts) < self.MAX_NONCES:
                break
            del counts[oldest]
        last = counts.get(nonce)
        if last is not None and count <= last[0]:
            return False
        counts[nonce] = (count, issued)
        return True

    def check(self, header: str | None, *, method: str, uri: str, username: str, password: str,
              now: float | None = None) -> Verdict:
        """Whether `header` (Authorization) proves the password for `method` on the request URI `uri`."""
        if header is None:
            return Verdict(False)
        params = parse_credentials(header)
        if params is None or not all(params.get(k) for k in ("username", "nonce", "uri", "response")):
            return Verdict(False, reason="auth_malformed")
        if params.get("realm") != self.realm or params.get("algorithm", "MD5").upper() != "MD5":
            return Verdict(False, reason="auth_realm")
        if params["uri"] != uri:  # an answer computed for another request
            return Verdict(False, reason="auth_uri")
        if not hmac.compare_digest(params["username"].encode(), username.encode()):
            return Verdict(False, reason="auth_failed")
        ha1 = _md5(f"{username}:{self.realm}:{password}")
        ha2 = _md5(f"{method}:{params['uri']}")
        qop, count = params.get("qop"), None
        if qop is None:
            expected = _md5(f"{ha1}:{params['nonce']}:{ha2}")
        elif qop.lower() == "auth" and params.get("nc") and params.get("cnonce"):
            try:
                count = int(params["nc"], 16)
            except ValueError:
                return Verdict(False, reason="auth_malformed")
            expected = _md5(f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:auth:{ha2}")
        else:
            return Verdict(False, reason="auth_malformed")
        if not hmac.compare_digest(expected.encode(), params["response"].lower().encode()):
            return Verdict(False, reason="auth_failed")
        moment = time.time() if now is None else now
        issued = self._issued(params["nonce"])
        if issued is None:
            return Verdict(False, reason="auth_failed")
        if not -5 <= moment - issued <= self.ttl_s:
            return Verdict(False, stale=True, reason="auth_stale")
        # Without qop (RFC 2069 terminals) there is no count: such an answer stays good until its nonce expires.
        if count is not None and not self._count_is_new(params["nonce"], count, issued, moment):
            return Verdict(False, reason="auth_replay")
        return Verdict(True, reason="ok")


def digest_authorization(challenge: str, *, method: str, uri: str, username: str, password: str,
                         cnonce: str | None = None, nc: int = 1) -> str:
    """The Authorization value answering a `Digest` challenge (RFC 2617 MD5, qop=auth when offered)."""
    params = parse_credentials(challenge)
    if params is None:
        raise ValueError("not a Digest challenge")
    if "nonce" not in params:
        raise ValueError("challenge without nonce")
    if params.get("algorithm", "MD5").upper() != "MD5":
        raise ValueError("unsupported digest algorithm")
    realm, nonce = params.get("realm", ""), params["nonce"]
    ha1, ha2 = _md5(f"{username}:{realm}:{password}"), _md5(f"{method}:{uri}")
    qops = [qop.strip().lower() for qop in params.get("qop", "").split(",") if qop.strip()]
    fields = [f'username="{username}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"']
    if "auth" in qops:
        cnonce, count = cnonce or secrets.token_hex(8), f"{nc:08x}"
        fields += [f'response="{_md5(f"{ha1}:{nonce}:{count}:{cnonce}:auth:{ha2}")}"', "algorithm=MD5",
                   f'cnonce="{cnonce}"', "qop=auth", f"nc={count}"]
    elif qops:
        raise ValueError("only auth-int offered")
    else:
        fields += [f'response="{_md5(f"{ha1}:{nonce}:{ha2}")}"', "algorithm=MD5"]  # RFC 2069 form
    if "opaque" in params:
        fields.append(f'opaque="{params["opaque"]}"')
    return "Digest " + ", ".join(fields)
