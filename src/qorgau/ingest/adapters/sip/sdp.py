"""SDP offer/answer for the SOS call (RFC 3264, RFC 4566): one audio stream, G.711 or Opus, SDES-SRTP.

The answer points at the listener's address and a media port reserved per call, so a media bridge that later
opens that port receives the terminal's RTP without any change to the signalling.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass

# Static RTP payload types (RFC 3551): preferred order.
CODECS = {0: "PCMU", 8: "PCMA"}
OPUS = "opus"  # dynamic payload type, `opus/48000/2` (RFC 7587)
TELEPHONE_EVENT = "telephone-event"
# SDES crypto suites (RFC 4568) the bridge protects media with: 16-byte AES key and 14-byte salt, inline base64.
SRTP_SUITES = ("AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32")
SRTP_KEY_BYTES = 30


@dataclass(frozen=True, slots=True)
class Crypto:
    """One `a=crypto:` line of the offer: its tag, suite and master key plus salt (never logged)."""

    tag: int
    suite: str
    key: bytes

    def __repr__(self) -> str:
        return f"Crypto(tag={self.tag}, suite={self.suite!r})"  # the key stays out of logs and tracebacks


_INLINE_KEY = re.compile(r"(inline:)[^|;\s]+")


def redact_keys(text: str | None) -> str | None:
    """The SDP with every SDES `inline:` key replaced: what may be stored or shown."""
    return _INLINE_KEY.sub(r"\1[redacted]", text) if text else text


def parse_crypto(value: str) -> Crypto | None:
    """`<tag> <suite> inline:<key||salt>[|lifetime][|mki:len]` with a suite we support and a 30-byte key, or None."""
    fields = value.split()
    if len(fields) < 3 or not fields[0].isdigit() or fields[1] not in SRTP_SUITES:
        return None
    params = fields[2].split(";")[0]  # only the first key: several master keys with MKIs are not supported
    if not params.startswith("inline:"):
        return None
    encoded, *extras = params[len("inline:"):].split("|")
    if any(":" in extra for extra in extras):
        return None  # an MKI, which our packets would not carry (a lifetime like 2^31 is fine)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(key) != SRTP_KEY_BYTES:
        return None
    return Crypto(int(fields[0]), fields[1], key)


@dataclass(frozen=True, slots=True)
class Offer:
    """What the terminal offered for audio: where it wants RTP and its payload types in its order."""

    address: str | None
    port: int
    payload_types: tuple[int, ...]
    rtpmap: dict[int, str]
    direction: str
    profile: str = "RTP/AVP"
    crypto: tuple[Crypto, ...] = ()  # the supported suites it offered, in its order

    @property
    def secure(self) -> bool:
        """The terminal asks for SRTP (RTP/SAVP or RTP/SAVPF): plain RTP must not be answered."""
        return "SAVP" in self.profile.upper()

    def srtp(self) -> Crypto | None:
        """The first supported crypto suite it offered (its preference), or None."""
        return self.crypto[0] if self.crypto else None

    def refusal(self) -> str | None:
        """Why this offer cannot be answered ("no_common_codec", "no_common_crypto"), or None."""
        if self.codec() is None:
            return "no_common_codec"
        if self.secure and self.srtp() is None:
            return "no_common_crypto"
        return None

    def codec(self) -> int | None:
        """The first G.711 or Opus payload type the terminal listed (its preference), or None."""
        for pt in self.payload_types:
            if self.codec_name(pt) is not None:
                return pt
        return None

    def codec_name(self, pt: int) -> str | None:
        """"PCMU", "PCMA" or "opus" for a payload type of this offer, None for any other codec."""
        encoding = self.rtpmap.get(pt, CODECS.get(pt, ""))
        name = encoding.split("/")[0].upper()
        if name in CODECS.values():
            return name
        return OPUS if name == "OPUS" and encoding.split("/")[1:2] == ["48000"] else None

    def dtmf(self) -> int | None:
        """The telephone-event payload type at the chosen codec's clock (RFC 4733 §2.1), else the first one."""
        events = [pt for pt in self.payload_types if self.rtpmap.get(pt, "").lower().startswith(TELEPHONE_EVENT)]
        codec = self.codec()
        clock = "48000" if codec is not None and self.codec_name(codec) == OPUS else "8000"
        matching = [pt for pt in events if self.rtpmap[pt].split("/")[1:2] == [clock]]
        chosen = matching or events
        return chosen[0] if chosen else None


def parse_offer(body: bytes) -> Offer | None:
    """The first audio m= line of an SDP body, or None if there is none (never raises)."""
    session_address: str | None = None
    address: str | None = None
    port, direction, profile = 0, "sendrecv", "RTP/AVP"
    pts: tuple[int, ...] = ()
    rtpmap: dict[int, str] = {}
    crypto: list[Crypto] = []
    in_audio, seen_audio = False, False
    for raw in body.decode("utf-8", errors="replace").splitlines():
        line = raw.strip()
        if len(line) < 2 or line[1] != "=":
            continue
        kind, value = line[0], line[2:].strip()
        if kind == "m":
            if in_audio:
                break  # only the first audio stream
            fields = value.split()
            in_audio = len(fields) >= 4 and fields[0] == "audio" and not seen_audio
            if in_audio:
                seen_audio = True
                port = int(fields[1].split("/")[0]) if fields[1].split("/")[0].isdigit() else 0
                profile = fields[2]
                pts = tuple(int(p) for p in fields[3:] if p.isdigit() and int(p) < 128)
        elif kind == "c":
            fields = value.split()
            found = fields[2].split("/")[0] if len(fields) >= 3 else None
            if in_audio:
                address = found
            elif not seen_audio:
                session_address = found
        elif kind == "a" and in_audio:
            name, _, rest = value.partition(":")
            if name == "rtpmap":
                pt_text, _, encoding = rest.partition(" ")
                if pt_text.isdigit():
                    rtpmap[int(pt_text)] = encoding.strip()
            elif name in ("sendrecv", "sendonly", "recvonly", "inactive"):
                direction = name
            elif name == "crypto" and (found_crypto := parse_crypto(rest)) is not None:
                crypto.append(found_crypto)
    if not seen_audio:
        return None
    return Offer(address or session_address, port if 0 <= port < 65536 else 0, pts, rtpmap, direction, profile,
                 tuple(crypto))


_ANSWER_DIRECTION = {"sendonly": "recvonly", "recvonly": "sendonly", "inactive": "inactive", "sendrecv": "sendrecv"}


def _ip_kind(address: str) -> str:
    return "IP6" if ":" in address else "IP4"


def refusal(offer: Offer | None) -> str:
    """Why an offer was refused, for the metrics and the call's end reason."""
    return (offer.refusal() if offer is not None else None) or "no_common_codec"


def new_key() -> bytes:
    """A fresh SRTP master key and salt for one call's direction towards the terminal."""
    return secrets.token_bytes(SRTP_KEY_BYTES)


def answer(offer: Offer, *, address: str, port: int, session_id: int | None = None,
           key: bytes | None = None) -> bytes | None:
    """The answer accepting the offer's preferred G.711 codec, with SRTP if it asked for it (None: refused).

    `key` is our SRTP master key and salt for an RTP/SAVP offer (the media bridge protects with it).
    """
    codec = offer.codec()
    if codec is None or offer.refusal() is not None:
        return None
    pts = [codec]
    if offer.codec_name(codec) == OPUS:  # mono is all the bridge plays; 8 kHz is all it keeps (RFC 7587 §6.1)
        maps = [f"a=rtpmap:{codec} opus/48000/2", f"a=fmtp:{codec} maxplaybackrate=8000;sprop-maxcapturerate=8000;"
                "stereo=0;sprop-stereo=0;useinbandfec=0"]
    else:
        maps = [f"a=rtpmap:{codec} {offer.codec_name(codec)}/8000"]
    dtmf = offer.dtmf()
    if dtmf is not None:
        pts.append(dtmf)
        rate = offer.rtpmap[dtmf].split("/")[1:2] or ["8000"]
        maps += [f"a=rtpmap:{dtmf} telephone-event/{rate[0]}", f"a=fmtp:{dtmf} 0-15"]
    profile = "RTP/AVP"
    chosen = offer.srtp()
    if offer.secure and chosen is not None:
        profile = offer.profile if offer.profile.upper() in ("RTP/SAVP", "RTP/SAVPF") else "RTP/SAVP"
        inline = base64.b64encode(key if key is not None else new_key()).decode()
        maps.append(f"a=crypto:{chosen.tag} {chosen.suite} inline:{inline}")
    return _render(address, port, pts, maps, _ANSWER_DIRECTION.get(offer.direction, "sendrecv"), session_id,
                   profile)


def offer(*, address: str, port: int, session_id: int | None = None) -> bytes:
    """Our offer when the INVITE came without one (the terminal answers in its ACK)."""
    maps = ["a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15"]
    return _render(address, port, [0, 8, 101], maps, "sendrecv", session_id)


def _render(address: str, port: int, pts: list[int], maps: list[str], direction: str,
            session_id: int | None, profile: str = "RTP/AVP") -> bytes:
    sid = session_id if session_id is not None else secrets.randbelow(2**31)
    kind = _ip_kind(address)
    lines = ["v=0", f"o=qorgau {sid} {sid} IN {kind} {address}", "s=Qorgau SOS", f"c=IN {kind} {address}", "t=0 0",
             f"m=audio {port} {profile} {' '.join(str(pt) for pt in pts)}", *maps, "a=ptime:20", f"a={direction}"]
    return ("\r\n".join(lines) + "\r\n").encode()
