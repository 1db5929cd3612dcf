"""Key files in the data directory: created once with owner-only permissions, never in the database."""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from qorgau.core.errors import ConfigError


def write_key_file(path: Path, key: bytes) -> None:
    """Write ``key`` (base64) atomically with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.b64encode(key) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def read_key_file(path: Path, size: int) -> bytes:
    return decode_key(path.read_text(encoding="ascii").strip(), size, origin=str(path))


def decode_key(text: str, size: int, *, origin: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigError(f"{origin}: key is not valid base64") from exc
    if len(key) != size:
        raise ConfigError(f"{origin}: key must be {size} bytes, found {len(key)}")
    return key


def load_or_create(path: Path, size: int) -> bytes:
    """The key in ``path``, creating a random one on first start."""
    if path.exists():
        return read_key_file(path, size)
    key = secrets.token_bytes(size)
    write_key_file(path, key)
    return key
