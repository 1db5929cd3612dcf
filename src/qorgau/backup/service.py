"""Make a backup archive of a running installation, and restore one onto a fresh data directory and database.

The archive is a tar, sealed (`sealed.py`), of ``manifest.json`` (format, schema revision, row counts, SHA-256 of
every member), the database dump, the key files and the audit anchor file. The anchor file is copied before the
database, so every signed checkpoint in it refers to records the dump holds (`qorgau audit verify` passes).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError

from qorgau.backup import snapshot
from qorgau.backup.sealed import BackupError, Secret, open_sealed, seal
from qorgau.core.migrate import alembic_config, upgrade
from qorgau.core.settings import CoreSettings
from qorgau.core.time import utcnow

FORMAT = 1
MANIFEST = "manifest.json"
ANCHORS = "audit/checkpoints.jsonl"


@dataclass(frozen=True)
class Manifest:
    """What an archive says about itself."""

    database: str
    revision: str | None
    counts: dict[str, int]
    files: dict[str, str]  # member name -> SHA-256
    created_at: str

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "database": self.database, "schema_revision": self.revision,
                           "counts": self.counts, "files": self.files, "created_at": self.created_at},
                          indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data: dict[str, Any] = json.loads(raw)
            if data["format"] > FORMAT:
                raise BackupError("backup.newer_format", params={"format": data["format"]})
            return cls(str(data["database"]), data["schema_revision"], dict(data["counts"]), dict(data["files"]),
                       str(data["created_at"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError("backup.damaged") from exc


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _gather(settings: CoreSettings, work: Path) -> Manifest:
    """Copy anchors and keys, then dump the database, into ``work``; the manifest describes them."""
    url = settings.effective_database_url
    anchors = settings.data_dir / ANCHORS
    if anchors.exists():  # before the dump: its checkpoints then never run ahead of the dumped chain
        (work / "audit").mkdir()
        shutil.copyfile(anchors, work / ANCHORS)
    if settings.keys_dir.is_dir():
        (work / "keys").mkdir()
        for key in sorted(settings.keys_dir.iterdir()):
            if key.is_file() and not key.name.endswith(".tmp"):
                shutil.copyfile(key, work / "keys" / key.name)
    if _is_sqlite(url):
        name, taken = "database.sqlite", snapshot.dump_sqlite(url, work / "database.sqlite")
    else:
        name, taken = "database.pgdump", snapshot.dump_postgres(url, work / "database.pgdump")
    members = [name, *sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file() and p.name != name)]
    return Manifest("sqlite" if _is_sqlite(url) else "postgresql", taken.revision, taken.counts,
                    {member: _sha256(work / member) for member in members}, utcnow().isoformat())


def create_backup(settings: CoreSettings, target: Path, secret: Secret) -> Manifest:
    """Write a sealed archive of the installation to ``target`` (atomically: a crash leaves no half archive)."""
    with tempfile.TemporaryDirectory(prefix="qorgau-backup-") as tmp:
        work = Path(tmp) / "content"
        work.mkdir(mode=0o700)
        manifest = _gather(settings, work)
        tar_path = Path(tmp) / "archive.tar"
        with tarfile.open(tar_path, "w") as tar:
            info = tarfile.TarInfo(MANIFEST)
            body = manifest.to_json()
            info.size, info.mtime, info.mode = len(body), int(datetime.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(body))
            for member in manifest.files:
                tar.add(work / member, arcname=member, recursive=False)
        partial = target.with_name(target.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with tar_path.open("rb") as plain, os.fdopen(fd, "wb") as sealed:
            seal(plain, sealed, secret)
            sealed.flush()
            os.fsync(sealed.fileno())
        os.replace(partial, target)
    return manifest


def _check_revision(revision: str | None) -> None:
    """Refuse a dump whose schema this program does not know (made by a newer Qorgau)."""
    if revision is None:
        raise BackupError("backup.damaged")
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        known = script.get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError("backup.newer_schema", params={"revision": revision})


def _refuse_occupied(settings: CoreSettings, manifest: Manifest) -> None:
    url = settings.effective_database_url
    if (manifest.database == "sqlite") != _is_sqlite(url):
        raise BackupError("backup.wrong_database", params={"archive": manifest.database})
    occupied = [settings.data_dir / ANCHORS] + [settings.keys_dir / Path(m).name for m in manifest.files
                                                if m.startswith("keys/")]
    if _is_sqlite(url):
        db_file = snapshot.sqlite_path(url)
        if db_file.exists() and db_file.stat().st_size > 0:
            occupied.append(db_file)
    elif not snapshot.postgres_is_empty(url):
        raise BackupError("backup.target_not_empty", params={"path": "database"})
    for path in occupied:
        if path.exists():
            raise BackupError("backup.target_not_empty", params={"path": str(path)})


def _unpack(archive: Path, secret: Secret, work: Path) -> Manifest:
    tar_path = work / "archive.tar"
    with archive.open("rb") as sealed, tar_path.open("wb") as plain:
        for block in open_sealed(sealed, secret):
            plain.write(block)
    content = work / "content"
    content.mkdir(mode=0o700)
    try:
        with tarfile.open(tar_path) as tar:
            tar.extractall(content, filter="data")  # refuses absolute paths, links out, devices
    except tarfile.TarError as exc:
        raise BackupError("backup.damaged") from exc
    tar_path.unlink()
    manifest_path = content / MANIFEST
    if not manifest_path.is_file():
        raise BackupError("backup.damaged")
    manifest = Manifest.from_json(manifest_path.read_bytes())
    for member, digest in manifest.files.items():
        path = content / member
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError("backup.damaged")
    return manifest


def read_manifest(archive: Path, secret: Secret) -> Manifest:
    """Open and check an archive without restoring anything."""
    with tempfile.TemporaryDirectory(prefix="qorgau-restore-") as tmp:
        return _unpack(archive, secret, Path(tmp))


def restore_backup(settings: CoreSettings, archive: Path, secret: Secret) -> Manifest:
    """Restore ``archive`` onto the configured data directory and database, which must be fresh."""
    with tempfile.TemporaryDirectory(prefix="qorgau-restore-") as tmp:
        manifest = _unpack(archive, secret, Path(tmp))
        _check_revision(manifest.revision)
        _refuse_occupied(settings, manifest)
        content = Path(tmp) / "content"
        url = settings.effective_database_url
        if manifest.database == "sqlite":
            snapshot.restore_sqlite(content / "database.sqlite", url)
        else:
            snapshot.restore_postgres(content / "database.pgdump", url)
        restored = snapshot.count_rows(url)
        if restored.counts != manifest.counts:
            raise BackupError("backup.count_mismatch", params={"expected": manifest.counts,
                                                               "found": restored.counts})
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        for member in manifest.files:
            if member.startswith(("keys/", "audit/")):
                target = settings.data_dir / member
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write((content / member).read_bytes())
        upgrade(url)  # an older schema is brought to this program's; a newer one was refused above
    return manifest
