"""An encrypted file stream: AES-256-GCM in 1 MiB chunks under a key from a passphrase (scrypt) or a key file (HKDF).

Layout: a 40-byte header (magic, key kind, salt, nonce prefix), a 16-byte key check, then chunks, each a 4-byte
length and its ciphertext. Every chunk's nonce holds its number and whether it is the last, and the header is the
associated data of every chunk, so reordered, truncated or spliced archives fail to open.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from qorgau.core.errors import QorgauError

MAGIC = b"QRGBAK\x00\x01"
KIND_PASSPHRASE, KIND_KEY = 1, 2
CHUNK = 1 << 20
_HEADER = struct.Struct(">8sB16s7s8x")  # magic, kind, salt, nonce prefix, reserved
_LENGTH = struct.Struct(">I")
CHECK_BYTES = 16


class BackupError(QorgauError):
    """A backup cannot be made or restored; the code names why (translated)."""

    status = 400


@dataclass(frozen=True)
class Secret:
    """What opens an archive: a passphrase, or the 32 bytes of a key file."""

    passphrase: str | None = None
    key: bytes | None = None

    @property
    def kind(self) -> int:
        return KIND_KEY if self.key is not None else KIND_PASSPHRASE

    def derive(self, kind: int, salt: bytes) -> bytes:
        """The archive key for this header; a secret of the other kind cannot open it."""
        if kind != self.kind:
            raise BackupError("backup.needs_key_file" if kind == KIND_KEY else "backup.needs_passphrase")
        if self.key is not None:
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"qorgau-backup-v1").derive(self.key)
        # scrypt's memory cost (32 MiB here) is what makes guessing a passphrase expensive.
        return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive((self.passphrase or "").encode())


def _check(key: bytes, header: bytes) -> bytes:
    return hmac.new(key, b"key-check" + header, hashlib.sha256).digest()[:CHECK_BYTES]


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + (b"\x01" if last else b"\x00") + struct.pack(">I", number)


def seal(source: BinaryIO, target: BinaryIO, secret: Secret) -> None:
    """Encrypt everything readable from ``source`` into ``target``."""
    salt, prefix = secrets.token_bytes(16), secrets.token_bytes(7)
    header = _HEADER.pack(MAGIC, secret.kind, salt, prefix)
    key = secret.derive(secret.kind, salt)
    cipher = AESGCM(key)
    target.write(header + _check(key, header))
    number, block = 0, source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if block else b""
        last = not following
        sealed = cipher.encrypt(_nonce(prefix, number, last), block, header)
        target.write(_LENGTH.pack(len(sealed)) + sealed)
        if last:
            return
        number, block = number + 1, following
        if number >= 2**32 - 1:
            raise BackupError("backup.too_large")


def open_sealed(source: BinaryIO, secret: Secret) -> Iterator[bytes]:
    """The plaintext chunks of a sealed stream; a wrong key or a damaged archive raises `BackupError`."""
    header = source.read(_HEADER.size)
    if len(header) != _HEADER.size:
        raise BackupError("backup.not_an_archive")
    magic, kind, salt, prefix = _HEADER.unpack(header)
    if magic != MAGIC or kind not in (KIND_PASSPHRASE, KIND_KEY):
        raise BackupError("backup.not_an_archive")
    key = secret.derive(kind, salt)
    if not hmac.compare_digest(source.read(CHECK_BYTES), _check(key, header)):
        raise BackupError("backup.wrong_key")
    cipher = AESGCM(key)
    number = 0
    while True:
        length = source.read(_LENGTH.size)
        if len(length) != _LENGTH.size:
            raise BackupError("backup.damaged")  # truncated: the chunk marked last never came
        (size,) = _LENGTH.unpack(length)
        sealed = source.read(size)
        if len(sealed) != size or size > CHUNK + 16:
            raise BackupError("backup.damaged")
        last = _at_end(source)
        try:
            plain = cipher.decrypt(_nonce(prefix, number, last), sealed, header)
        except InvalidTag as exc:
            raise BackupError("backup.damaged") from exc
        yield plain
        if last:
            return
        number += 1


def _at_end(source: BinaryIO) -> bool:
    """Whether a seekable stream has nothing left (a chunk decrypts only with its true position)."""
    here = source.tell()
    end = source.seek(0, os.SEEK_END)
    source.seek(here)
    return here == end
