"""`qorgau video verify EXPORT`: check an evidence export (its zip or folder) on any machine, without a database:
every file's size and SHA-256 against the manifest, no file missing or added, and the manifest's signature."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Annotated, Any

import typer

from qorgau.audit.signing import key_id_of, verify_bytes
from qorgau.video.export_job import FORMAT, MANIFEST, STATEMENT_TAG, canonical

CHUNK = 1 << 20


@dataclass
class Report:
    """What a verification found: ``ok`` only with no problem at all."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    key_id: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


class _Files:
    """The export's files by name, from a zip (one top folder) or a folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.archive = zipfile.ZipFile(path) if path.is_file() else None
        self.names: dict[str, str] = {}  # file name -> member or path
        self.duplicates: list[str] = []  # a second member of the same name could hide behind the checked one
        if self.archive is not None:
            for info in self.archive.infolist():
                if not info.is_dir():
                    name = PurePosixPath(info.filename).name
                    if name in self.names:
                        self.duplicates.append(name)
                    self.names[name] = info.filename
        else:
            self.names = {p.name: str(p) for p in path.iterdir() if p.is_file()}

    def read(self, name: str) -> bytes:
        if self.archive is not None:
            return self.archive.read(self.names[name])
        return Path(self.names[name]).read_bytes()

    def digest(self, name: str) -> tuple[int, str]:
        sha, size = hashlib.sha256(), 0
        with self._open(name) as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                sha.update(chunk)
                size += len(chunk)
        return size, sha.hexdigest()

    def _open(self, name: str) -> IO[bytes]:
        if self.archive is not None:
            return self.archive.open(self.names[name])
        return Path(self.names[name]).open("rb")

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


def verify_export(path: Path, *, trusted_key: str | None = None) -> Report:
    """Check the export at ``path``; with ``trusted_key`` (base64 public key) the signer must be that key."""
    report = Report()
    try:
        files = _Files(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.problems.append(f"cannot read {path}: {exc.__class__.__name__}")
        return report
    try:
        _check(files, report, trusted_key)
    finally:
        files.close()
    return report


def _check(files: _Files, report: Report, trusted_key: str | None) -> None:
    report.problems.extend(f"{name}: more than one file of this name" for name in sorted(set(files.duplicates)))
    if MANIFEST not in files.names:
        report.problems.append(f"{MANIFEST} is missing")
        return
    try:
        manifest: dict[str, Any] = json.loads(files.read(MANIFEST))
        signature = manifest["signature"]
        listed = [(str(f["name"]), int(f["bytes"]), str(f["sha256"]))
                  for camera in manifest["cameras"] for f in camera["files"]]
    except (ValueError, KeyError, TypeError) as exc:
        report.problems.append(f"{MANIFEST} is unreadable ({exc.__class__.__name__})")
        return
    if manifest.get("format") != FORMAT:
        report.problems.append(f"unknown export format {str(manifest.get('format'))[:40]!r}")
    report.lines.append(f"export {manifest.get('export_id')}: {len(listed)} file(s), requested "
                        f"{manifest.get('requested', {}).get('from')} .. {manifest.get('requested', {}).get('to')}")
    _check_signature(manifest, signature, report, trusted_key)
    for name, size, sha in listed:
        if name not in files.names or name == MANIFEST:
            report.problems.append(f"{name}: missing")
            continue
        found_size, found_sha = files.digest(name)
        if (found_size, found_sha) != (size, sha):
            report.problems.append(f"{name}: altered (SHA-256 {found_sha[:16]}…, manifest {sha[:16]}…)")
        else:
            report.lines.append(f"{name}: {size} bytes, SHA-256 matches")
    extra = sorted(set(files.names) - {name for name, _, _ in listed} - {MANIFEST})
    report.problems.extend(f"{name}: not in the manifest" for name in extra)


def _check_signature(manifest: dict[str, Any], signature: Any, report: Report, trusted_key: str | None) -> None:
    try:
        public_key, value = str(signature["public_key"]), str(signature["value"])
        report.key_id = key_id_of(base64.b64decode(public_key, validate=True))
    except (KeyError, TypeError, ValueError):
        report.problems.append("the manifest's signature is unreadable")
        return
    if not verify_bytes(public_key, STATEMENT_TAG + canonical(manifest), value):
        report.problems.append("the manifest's signature does not match its content (the manifest was altered)")
        return
    if signature.get("key_id") != report.key_id:
        report.problems.append("the manifest names another key id than its public key's")
        return
    if trusted_key is not None and trusted_key.strip() != public_key:
        report.problems.append(f"signed by key {report.key_id}, not by the trusted key")
        return
    trust = "the trusted key" if trusted_key else "compare this key id with the installation's"
    report.lines.append(f"signature valid: Ed25519 key {report.key_id} ({trust})")


def verify_command(
    export: Annotated[Path, typer.Argument(help="The export's zip, or its folder.", exists=True)],
    key: Annotated[str | None, typer.Option(help="The installation's public key (base64): the export must be "
                                                 "signed by it.")] = None,
) -> None:
    """Check an evidence export: every file's SHA-256 and the manifest's signature (exit 0 valid, 1 not)."""
    report = verify_export(export, trusted_key=key)
    for line in report.lines:
        typer.echo(line)
    for problem in report.problems:
        typer.echo(f"FAILED: {problem}", err=True)
    typer.echo("VALID" if report.ok else "NOT VALID")
    raise typer.Exit(0 if report.ok else 1)


def signing_key_command() -> None:
    """Print this installation's public signing key (the audit checkpoints' key), to pass as `verify --key`."""
    from qorgau.audit.signing import load_signer
    from qorgau.core.commands import load_command_settings

    signer = load_signer(load_command_settings())
    typer.echo(f"key id {signer.key_id}")
    typer.echo(signer.public_key)


def register(group: typer.Typer) -> None:
    """Add `verify` and `signing-key` to the `qorgau video` group."""
    group.command("verify")(verify_command)
    group.command("signing-key")(signing_key_command)
