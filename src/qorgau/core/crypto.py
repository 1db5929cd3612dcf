"""Encryption of secrets at rest (device credentials, panel keys) under the master key.

Ciphertexts name the key that made them (``enc:v1:<key id>:<nonce+ciphertext>``), so a
key rotation can be interrupted at any point and every value still decrypts.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, MetaData, Table, Text, select, type_coerce, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from qorgau.core.errors import ConfigError
from qorgau.core.keyfiles import decode_key, load_or_create, read_key_file, write_key_file
from qorgau.core.settings import CoreSettings

KEY_BYTES = 32
PREFIX = "enc:v1:"
SessionFactory = Callable[[], Session]


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


class Keyring:
    """Keys that may decrypt, and the one that encrypts."""

    def __init__(self, keys: Iterable[bytes], current: bytes) -> None:
        self._ciphers = {key_id(k): AESGCM(k) for k in keys}
        self.current_id = key_id(current)
        self._ciphers[self.current_id] = AESGCM(current)

    @property
    def key_ids(self) -> list[str]:
        return sorted(self._ciphers)

    def encrypt(self, plaintext: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = self._ciphers[self.current_id].encrypt(nonce, plaintext.encode(), self.current_id.encode())
        return f"{PREFIX}{self.current_id}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str) -> str:
        if not token.startswith(PREFIX):
            raise ValueError("value is not an encrypted secret")
        kid, _, body = token[len(PREFIX):].partition(":")
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise ValueError(f"secret was encrypted under key {kid}, which is not loaded")
        raw = base64.b64decode(body)
        try:
            return cipher.decrypt(raw[:12], raw[12:], kid.encode()).decode()
        except InvalidTag as exc:
            raise ValueError("secret failed authentication (corrupted or wrong key)") from exc

    def needs_reencryption(self, token: str) -> bool:
        return not token.startswith(f"{PREFIX}{self.current_id}:")


@dataclass(frozen=True)
class KeyPaths:
    current: Path
    next: Path


def key_paths(settings: CoreSettings) -> KeyPaths:
    return KeyPaths(settings.keys_dir / "master.key", settings.keys_dir / "master.key.next")


def load_keyring(settings: CoreSettings) -> Keyring:
    """The master key from the setting or the key file (created on first start), plus a pending rotation."""
    paths = key_paths(settings)
    if settings.master_key is not None:
        base = decode_key(settings.master_key.get_secret_value(), KEY_BYTES, origin="QORGAU_MASTER_KEY")
    else:
        base = load_or_create(paths.current, KEY_BYTES)
    keys = [base]
    if paths.next.exists():  # a rotation was interrupted or awaits the setting's update
        pending = read_key_file(paths.next, KEY_BYTES)
        keys.append(pending)
        return Keyring(keys, current=pending)
    return Keyring(keys, current=base)


_keyring: Keyring | None = None


def configure_keyring(keyring: Keyring) -> None:
    """Install the process's keyring (at start-up, before any encrypted column is touched)."""
    global _keyring
    _keyring = keyring


def keyring() -> Keyring:
    if _keyring is None:
        raise ConfigError("the master key is not loaded")
    return _keyring


class EncryptedText(TypeDecorator[str]):
    """A text column whose value is stored encrypted under the master key."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else keyring().encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else keyring().decrypt(value)


def encrypted_columns(metadata: MetaData) -> list[tuple[Table, Column[str]]]:
    return [
        (table, column)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def reencrypt(session: Session, ring: Keyring, metadatas: Iterable[MetaData]) -> int:
    """Re-encrypt every encrypted value not yet under the current key; returns how many changed."""
    changed = 0
    for metadata in metadatas:
        for table, column in encrypted_columns(metadata):
            pk = list(table.primary_key.columns)
            raw = type_coerce(column, Text)
            rows = session.execute(select(*pk, raw.label("v")).where(column.is_not(None))).all()
            for row in rows:
                token = row.v
                if not ring.needs_reencryption(token):
                    continue
                fresh = ring.encrypt(ring.decrypt(token))
                where = [col == row[i] for i, col in enumerate(pk)]
                session.execute(update(table).where(*where).values({column.name: type_coerce(fresh, Text)}))
                changed += 1
    return changed


def rotate_master_key(
    settings: CoreSettings, session_factory: SessionFactory, metadatas: Iterable[MetaData]
) -> tuple[str, int]:
    """Create a new master key, re-encrypt everything under it, then make it the key file.

    Order matters for crash safety: the new key is on disk (as ``.next``) before any value
    uses it, and the old key stays loadable until every value has moved.
    """
    paths = key_paths(settings)
    fresh = secrets.token_bytes(KEY_BYTES)
    if not paths.next.exists():
        write_key_file(paths.next, fresh)
    else:
        fresh = read_key_file(paths.next, KEY_BYTES)
    ring = Keyring([*_raw_keys(settings), fresh], current=fresh)
    configure_keyring(ring)
    with session_factory() as session, session.begin():
        count = reencrypt(session, ring, metadatas)
    if settings.master_key is None:
        if paths.current.exists():
            retired_id = key_id(read_key_file(paths.current, KEY_BYTES))
            paths.current.replace(paths.current.with_name(f"master.key.retired-{retired_id}"))
        paths.next.replace(paths.current)
    return key_id(fresh), count


def _raw_keys(settings: CoreSettings) -> list[bytes]:
    paths = key_paths(settings)
    keys = []
    if settings.master_key is not None:
        keys.append(decode_key(settings.master_key.get_secret_value(), KEY_BYTES, origin="QORGAU_MASTER_KEY"))
    if paths.current.exists():
        keys.append(read_key_file(paths.current, KEY_BYTES))
    return keys

