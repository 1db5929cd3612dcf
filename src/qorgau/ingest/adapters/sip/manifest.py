"""What the SIP adapter speaks, for the adapter registry and the docs."""

from __future__ import annotations

from qorgau.ingest.adapters.sia_dc09.manifest import Manifest

MANIFEST = Manifest(
    name="sip",
    protocol="SIP 2.0 (RFC 3261 subset, user agent server)",
    transports=("udp", "tcp"),
    payloads=("SDP offer/answer (RFC 3264): one audio stream, PCMU or PCMA",),
    supports=(
        "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER; 405/501 for other methods",
        "server transactions: retransmissions absorbed, final responses resent over UDP (T1…T2, timer H)",
        "digest authentication (RFC 2617 MD5, qop=auth) for terminals with a password",
        "compact header forms, folded headers, Content-Length framing over TCP, CRLF keep-alives",
        "rport and received (RFC 3581)",
        "media port reserved per call for a future media bridge (no RTP sent)",
    ),
)
