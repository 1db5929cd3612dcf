"""SDP offer/answer for the SOS call (RFC 3264, RFC 4566): one audio stream, G.711 (PCMU or PCMA).

The answer points at the listener's address and a media port reserved per call, so a media bridge that later
opens that port receives the terminal's RTP without any change to the signalling.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

# Static RTP payload types (RFC 3551): preferred order.
CODECS = {0: "PCMU", 8: "PCMA"}
TELEPHONE_EVENT = "telephone-event"


@dataclass(frozen=True, slots=True)
class Offer:
    """What the terminal offered for audio: where it wants RTP and its payload types in its order."""

    address: str | None
    port: int
    payload_types: tuple[int, ...]
    rtpmap: dict[int, str]
    direction: str

    def codec(self) -> int | None:
        """The first G.711 payload type the terminal listed (its preference), or None."""
        for pt in self.payload_types:
            name = self.rtpmap.get(pt, CODECS.get(pt, "")).split("/")[0].upper()
            if name in CODECS.values():
                return pt
        return None

    def dtmf(self) -> int | None:
        for pt in self.payload_types:
            if self.rtpmap.get(pt, "").lower().startswith(TELEPHONE_EVENT):
                return pt
        return None


def parse_offer(body: bytes) -> Offer | None:
    """The first audio m= line of an SDP body, or None if there is none (never raises)."""
    session_address: str | None = None
    address: str | None = None
    port, direction = 0, "sendrecv"
    pts: tuple[int, ...] = ()
    rtpmap: dict[int, str] = {}
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
    if not seen_audio:
        return None
    return Offer(address or session_address, port if 0 <= port < 65536 else 0, pts, rtpmap, direction)


_ANSWER_DIRECTION = {"sendonly": "recvonly", "recvonly": "sendonly", "inactive": "inactive", "sendrecv": "sendrecv"}


def _ip_kind(address: str) -> str:
    return "IP6" if ":" in address else "IP4"


def answer(offer: Offer, *, address: str, port: int, session_id: int | None = None) -> bytes | None:
    """The answer accepting the offer's preferred G.711 codec (None if it offered neither PCMU nor PCMA)."""
    codec = offer.codec()
    if codec is None:
        return None
    pts = [codec]
    maps = [f"a=rtpmap:{codec} {CODECS.get(codec) or offer.rtpmap[codec].split('/')[0].upper()}/8000"]
    dtmf = offer.dtmf()
    if dtmf is not None:
        pts.append(dtmf)
        maps += [f"a=rtpmap:{dtmf} telephone-event/8000", f"a=fmtp:{dtmf} 0-15"]
    return _render(address, port, pts, maps, _ANSWER_DIRECTION.get(offer.direction, "sendrecv"), session_id)


def offer(*, address: str, port: int, session_id: int | None = None) -> bytes:
    """Our offer when the INVITE came without one (the terminal answers in its ACK)."""
    maps = ["a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15"]
    return _render(address, port, [0, 8, 101], maps, "sendrecv", session_id)


def _render(address: str, port: int, pts: list[int], maps: list[str], direction: str,
            session_id: int | None) -> bytes:
    sid = session_id if session_id is not None else secrets.randbelow(2**31)
    kind = _ip_kind(address)
    lines = ["v=0", f"o=qorgau {sid} {sid} IN {kind} {address}", "s=Qorgau SOS", f"c=IN {kind} {address}", "t=0 0",
             f"m=audio {port} RTP/AVP {' '.join(str(pt) for pt in pts)}", *maps, "a=ptime:20", f"a={direction}"]
    return ("\r\n".join(lines) + "\r\n").encode()
