"""What the SIA DC-09 adapter speaks, for the adapter registry and the docs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Manifest:
    """A short, self-describing summary of an ingest adapter."""

    name: str
    protocol: str
    transports: tuple[str, ...]
    payloads: tuple[str, ...]
    supports: tuple[str, ...]


MANIFEST = Manifest(
    name="sia_dc09",
    protocol="ANSI/SIA DC-09 (2013/2021)",
    transports=("tcp", "udp"),
    payloads=("SIA-DCS (SIA DC-03)", "ADM-CID (Contact ID, SIA DC-05)", "NULL (supervision)"),
    supports=(
        "CRC-16/ARC, hex or binary CRC",
        "AES-128/192/256-CBC encryption",
        "ACK, NAK with receiver time, DUH",
        "extended data blocks (X, Y, H, I, M, V, S, …)",
        "several frames per TCP segment and frames split across segments",
        "timestamp window −40 s … +20 s",
    ),
)
