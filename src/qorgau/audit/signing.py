"""The checkpoint signing key (Ed25519) and the append-only anchor file, both outside the database."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from qorgau.core.keyfiles import decode_key, load_or_create
from qorgau.core.settings import CoreSettings
from qorgau.core.time import as_utc


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head_hash: str
    at: datetime
    key_id: str
    signature: str

    def statement(self) -> bytes:
        return checkpoint_statement(self.seq, self.head_hash, self.at)

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "head_hash": self.head_hash, "at": as_utc(self.at).isoformat(),
                "key_id": self.key_id, "signature": self.signature}


def checkpoint_statement(seq: int, head_hash: str, at: datetime) -> bytes:
    return f"qorgau-audit-checkpoint:v1:{seq}:{head_hash}:{as_utc(at).isoformat()}".encode()


class Signer:
    """Signs and verifies checkpoints with the installation's audit key."""

    def __init__(self, seed: bytes) -> None:
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self._public = self._private.public_key()
        raw = self._public.public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = key_id_of(raw)
        self.public_key = base64.b64encode(raw).decode()  # raw Ed25519 public key, for verifying elsewhere

    def sign(self, seq: int, head_hash: str, at: datetime) -> Checkpoint:
        signature = self._private.sign(checkpoint_statement(seq, head_hash, at))
        return Checkpoint(seq, head_hash, as_utc(at), self.key_id, base64.b64encode(signature).decode())

    def sign_bytes(self, data: bytes) -> str:
        """A base64 signature over ``data`` (callers prefix their own statement tag, as checkpoints do)."""
        return base64.b64encode(self._private.sign(data)).decode()

    def valid(self, checkpoint: Checkpoint) -> bool:
        if checkpoint.key_id != self.key_id:
            return False
        try:
            self._public.verify(base64.b64decode(checkpoint.signature), checkpoint.statement())
        except (InvalidSignature, ValueError):
            return False
        return True


def key_id_of(public_key: bytes) -> str:
    """The short id of a raw Ed25519 public key, as checkpoints name it."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def verify_bytes(public_key_b64: str, data: bytes, signature_b64: str) -> bool:
    """Whether ``signature_b64`` signs ``data`` under the raw base64 Ed25519 public key; needs no database."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        key.verify(base64.b64decode(signature_b64, validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True


def load_signer(settings: CoreSettings) -> Signer:
    if settings.audit_signing_key is not None:
        seed = decode_key(settings.audit_signing_key.get_secret_value(), 32, origin="QORGAU_AUDIT_SIGNING_KEY")
    else:
        seed = load_or_create(settings.keys_dir / "audit-signing.key", 32)
    return Signer(seed)


def anchor_path(settings: CoreSettings) -> Path:
    return settings.data_dir / "audit" / "checkpoints.jsonl"


def append_anchor(path: Path, checkpoint: Checkpoint) -> None:
    """Append one checkpoint line and make it durable."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    line = json.dumps(checkpoint.to_json(), separators=(",", ":")) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read_anchors(path: Path) -> tuple[list[Checkpoint], list[str]]:
    """Checkpoints in the anchor file, and descriptions of unreadable lines."""
    if not path.exists():
        return [], []
    found, bad = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            data = json.loads(line)
            found.append(Checkpoint(int(data["seq"]), str(data["head_hash"]), datetime.fromisoformat(data["at"]),
                                    str(data["key_id"]), str(data["signature"])))
        except (ValueError, KeyError, TypeError):
            bad.append(f"anchor file line {number} is unreadable")
    return found, bad
