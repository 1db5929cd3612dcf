"""The DC-09 receiver's TLS listener: a server context for panels that wrap DC-09 in TLS."""

from __future__ import annotations

import ssl
from pathlib import Path

TLS_HANDSHAKE_TIMEOUT_S = 10.0  # a client that opens TCP and never finishes the handshake holds a slot this long


def server_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    """TLS 1.2 or newer with the given certificate; panels are not asked for a certificate of their own (DC-09
    authenticates them by account and, where configured, its own AES key)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context
