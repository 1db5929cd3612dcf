"""AES-CBC of DC-09 encrypted frames: zero IV, 128/192/256-bit keys, random pad before the data."""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 16
KEY_SIZES = (16, 24, 32)
# The pad may be any printable character except the three that delimit the plaintext.
PAD_ALPHABET = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in "[]|")
_ZERO_IV = bytes(BLOCK)


class CryptoError(ValueError):
    """A key or ciphertext that AES-CBC cannot use."""


def check_key(key: bytes) -> bytes:
    """Return the key if it is 128, 192 or 256 bits long, else raise CryptoError."""
    if len(key) not in KEY_SIZES:
        raise CryptoError(f"AES key must be 16, 24 or 32 bytes, not {len(key)}")
    return key


def parse_hex_key(text: str) -> bytes:
    """Decode a key written as 32, 48 or 64 hex digits."""
    try:
        return check_key(bytes.fromhex(text))
    except ValueError as exc:
        raise CryptoError("key must be 32, 48 or 64 hex digits") from exc


def pad_for(body: str, *, pad: str | None = None) -> str:
    """Return a pad that brings `body` to a multiple of 16 bytes (1..16 characters, never empty)."""
    # Like the reference transmitters, an aligned body still gets a full block of pad, so the pad is never empty.
    size = BLOCK - len(body.encode()) % BLOCK
    if pad is not None:
        if len(pad) != size or any(c not in PAD_ALPHABET for c in pad):
            raise CryptoError(f"pad must be {size} characters outside '[', ']', '|'")
        return pad
    return "".join(secrets.choice(PAD_ALPHABET) for _ in range(size))


def encrypt(plaintext: bytes, key: bytes) -> bytes:
    """Encrypt a block-aligned plaintext with AES-CBC and a zero IV."""
    if len(plaintext) % BLOCK:
        raise CryptoError("plaintext is not a multiple of 16 bytes")
    encryptor = Cipher(algorithms.AES(check_key(key)), modes.CBC(_ZERO_IV)).encryptor()
    return encryptor.update(plaintext) + encryptor.finalize()


def decrypt(ciphertext: bytes, key: bytes) -> bytes:
    """Decrypt an AES-CBC ciphertext with a zero IV."""
    if not ciphertext or len(ciphertext) % BLOCK:
        raise CryptoError("ciphertext is not a non-empty multiple of 16 bytes")
    decryptor = Cipher(algorithms.AES(check_key(key)), modes.CBC(_ZERO_IV)).decryptor()
    return decryptor.update(ciphertext) + decryptor.finalize()
