"""SDES-SRTP (RFC 4568, RFC 3711) of one call: the terminal's key unprotects what it sends, ours protects ours."""

from __future__ import annotations

import pylibsrtp

from qorgau.ingest.adapters.sip.sdp import Crypto

PROFILES = {"AES_CM_128_HMAC_SHA1_80": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
            "AES_CM_128_HMAC_SHA1_32": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_32}
_REPLAYED = ("replay check failed", "packet index is too old")


class SrtpRejected(Exception):
    """A packet failed authentication (tampered, or not from the keyed peer); `replay` for a duplicate."""

    def __init__(self, replay: bool) -> None:
        super().__init__("srtp replay" if replay else "srtp authentication failed")
        self.replay = replay


class SrtpStreams:
    """The two SRTP contexts of a call; the keys live only inside libsrtp (never in a repr or a log)."""

    def __init__(self, remote: Crypto, local_key: bytes) -> None:
        profile = PROFILES[remote.suite]
        self.suite = remote.suite
        self._rx = pylibsrtp.Session(pylibsrtp.Policy(key=remote.key, ssrc_type=pylibsrtp.Policy.SSRC_ANY_INBOUND,
                                                      srtp_profile=profile))
        # Our answer uses the suite the terminal chose (RFC 4568 §7.1.1), with a key of our own.
        self._tx = pylibsrtp.Session(pylibsrtp.Policy(key=local_key, ssrc_type=pylibsrtp.Policy.SSRC_ANY_OUTBOUND,
                                                      srtp_profile=profile))

    def __repr__(self) -> str:
        return f"SrtpStreams({self.suite})"

    def protect(self, packet: bytes) -> bytes:
        return bytes(self._tx.protect(packet))

    def unprotect(self, packet: bytes) -> bytes:
        """The plain RTP packet; raises SrtpRejected when it fails authentication or is a replay."""
        try:
            return bytes(self._rx.unprotect(packet))
        except pylibsrtp.Error as exc:
            raise SrtpRejected(any(text in str(exc) for text in _REPLAYED)) from None

