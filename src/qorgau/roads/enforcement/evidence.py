"""A violation's evidence package: its files, a manifest with each file's SHA-256 and the facts of the
measurement, signed with the installation's key the way video exports are (tag + canonical JSON, Ed25519)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from qorgau.audit.signing import Signer, key_id_of, verify_bytes

MANIFEST = "manifest.json"
FORMAT = "qorgau-violation-evidence/1"
STATEMENT_TAG = b"qorgau-violation-evidence:v1:"  # never valid as a video export's or a checkpoint's signature
MIN_IMAGES = 2


def canonical(manifest: dict[str, Any]) -> bytes:
    """The signed bytes: the same canonical JSON as video exports, so one verifier reads both."""
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def write(folder: Path, files: dict[str, bytes], facts: dict[str, Any], signer: Signer) -> dict[str, Any]:
    """Write the files and the signed manifest into ``folder`` (created; written through a temporary name so a
    half-written package never appears); returns the manifest."""
    work = folder.with_name(folder.name + ".tmp")
    work.mkdir(parents=True, exist_ok=False)
    entries = []
    for name, data in sorted(files.items()):
        if "/" in name or name in (MANIFEST, "") or name.startswith("."):
            raise ValueError(f"bad evidence file name: {name!r}")
        (work / name).write_bytes(data)
        entries.append({"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    manifest: dict[str, Any] = {"format": FORMAT, **facts, "files": entries}
    manifest["signature"] = {
        "algorithm": "Ed25519", "key_id": signer.key_id, "public_key": signer.public_key,
        "signed": "tag 'qorgau-violation-evidence:v1:' + the manifest without 'signature', JSON, keys sorted, "
                  "separators ',' ':', UTF-8",
        "value": signer.sign_bytes(STATEMENT_TAG + canonical(manifest)),
    }
    (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    work.rename(folder)
    return manifest


def verify(folder: Path, trusted_key_id: str | None = None) -> list[str]:
    """Every problem of a package (empty when it verifies): files missing, added or changed, a bad signature."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ["manifest_unreadable"]
    problems = []
    listed = {entry["name"]: entry for entry in manifest.get("files", [])}
    present = {p.name for p in folder.iterdir() if p.is_file() and p.name != MANIFEST}
    problems += [f"missing:{name}" for name in sorted(listed.keys() - present)]
    problems += [f"unlisted:{name}" for name in sorted(present - listed.keys())]
    for name in sorted(listed.keys() & present):
        if _digest(folder / name) != listed[name]["sha256"]:
            problems.append(f"changed:{name}")
    signature = manifest.pop("signature", None) or {}
    key = str(signature.get("public_key", ""))
    try:
        key_id = key_id_of(base64.b64decode(key, validate=True))
    except ValueError:
        key_id = ""
    if not verify_bytes(key, STATEMENT_TAG + canonical(manifest), str(signature.get("value", ""))):
        problems.append("signature_invalid")
    elif trusted_key_id is not None and key_id != trusted_key_id:
        problems.append("signature_untrusted_key")
    return problems
