"""Identifiers of events and causal chains: time-ordered UUIDs (version 7, RFC 9562) without a system call each.

Time order keeps inserts at the right edge of the events table's unique index: random (version 4) ids dirtied
one index page per row, which under ingest load multiplied the bytes every commit wrote and synced. The random
part comes from the kernel, drawn 4,096 ids at a time: `os.urandom` releases the GIL for its system call, and
under load every release handed the interpreter to another thread for up to a switch interval.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_BATCH = 4096
_lock = threading.Lock()
_pool = b""
_offset = 0
_RAND_A_BITS = 12
_RAND_B_BITS = 62


def new_uuid() -> uuid.UUID:
    """A version-7 UUID: 48 bits of Unix milliseconds, then 74 random bits."""
    global _pool, _offset
    with _lock:
        if _offset + 10 > len(_pool):
            _pool, _offset = os.urandom(10 * _BATCH), 0
        chunk = _pool[_offset : _offset + 10]
        _offset += 10
    random_bits = int.from_bytes(chunk, "big")
    rand_a = random_bits >> (80 - _RAND_A_BITS)
    rand_b = random_bits & ((1 << _RAND_B_BITS) - 1)
    value = (time.time_ns() // 1_000_000) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)
