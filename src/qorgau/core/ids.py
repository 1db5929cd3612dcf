"""Random (version 4) UUIDs without a system call each.

`uuid.uuid4()` calls `os.urandom`, which releases the GIL for the `getrandom` system call; under ingest load every
release hands the interpreter to the other thread for up to a switch interval. Drawing the same kernel randomness
4,096 identifiers at a time keeps the ids unpredictable and the hot path free of that hand-over.
"""

from __future__ import annotations

import os
import threading
import uuid

_BATCH = 4096
_lock = threading.Lock()
_pool = b""
_offset = 0
_VERSION_MASK = ~(0xF000 << 64) & ~(0xC000 << 48)
_VERSION_BITS = (0x4000 << 64) | (0x8000 << 48)


def new_uuid() -> uuid.UUID:
    """A version-4 UUID from the kernel's random bytes, taken from a pre-fetched pool."""
    global _pool, _offset
    with _lock:
        if _offset + 16 > len(_pool):
            _pool, _offset = os.urandom(16 * _BATCH), 0
        chunk = _pool[_offset : _offset + 16]
        _offset += 16
    value = (int.from_bytes(chunk, "big") & _VERSION_MASK) | _VERSION_BITS
    return uuid.UUID(int=value)
