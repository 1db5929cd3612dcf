"""Startup reconcile of the recording index with the volumes, run before any recorder writes: rows whose file is
gone are removed, files without a row are indexed by probing them (or deleted when unreadable), and `.part`
files a crash left behind are trimmed to their complete fragments and finalised (or removed when empty).

A volume that is missing is left alone: its rows stay until the disk comes back. Files touched within the last
``fresh_s`` seconds are left alone too (a recorder may be writing them, or its row may still be queued), so the
reconcile is safe to run while workers record.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qorgau.core.time import utcnow
from qorgau.devices.models import Device
from qorgau.video.config import VolumeSpec
from qorgau.video.enums import StreamKind
from qorgau.video.models import Segment
from qorgau.video.recorder import probe, trim_to_fragments
from qorgau.video.volumes import MARKER

log = logging.getLogger(__name__)

# <code>/YYYY/MM/DD/HH/<epoch ms>.mp4[.part]
NAME = re.compile(r"^(?P<code>[^/]+)/\d{4}/\d{2}/\d{2}/\d{2}/(?P<ms>\d{10,16})\.mp4(?P<part>\.part)?$")


@dataclass
class RepairReport:
    """What the reconcile did, per kind of repair (paths relative to their volume, prefixed by its name)."""

    rows_removed: list[str] = field(default_factory=list)
    files_indexed: list[str] = field(default_factory=list)
    files_deleted: list[str] = field(default_factory=list)
    parts_finalised: list[str] = field(default_factory=list)
    parts_removed: list[str] = field(default_factory=list)
    volumes_skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.rows_removed)} rows without files removed, {len(self.files_indexed)} files indexed, "
                f"{len(self.files_deleted)} unreadable files deleted, {len(self.parts_finalised)} interrupted "
                f"segments finalised, {len(self.parts_removed)} empty ones removed"
                + (f"; volumes skipped (missing): {', '.join(self.volumes_skipped)}" if self.volumes_skipped
                   else ""))


def _finalise_part(root: Path, rel: str, report: RepairReport, tag: str) -> str | None:
    """Trim a crash's `.part` to whole fragments and rename it; the final relative path, or None if removed."""
    part = root / rel
    final_rel = rel.removesuffix(".part")
    with contextlib.suppress(OSError):  # unreadable: the probe below decides
        trim_to_fragments(part)
    if probe(part) is None:
        part.unlink(missing_ok=True)
        report.parts_removed.append(f"{tag}:{rel}")
        return None
    part.replace(root / final_rel)
    report.parts_finalised.append(f"{tag}:{final_rel}")
    return final_rel


FRESH_S = 300.0


def reconcile_volume(*, session: Session, spec: VolumeSpec, codes: dict[str, int], report: RepairReport,
                     now: datetime, fresh_s: float = FRESH_S) -> None:
    """Reconcile one present volume with its rows."""
    root = spec.path
    tag = spec.name
    rows = {path: seg_id for seg_id, path in session.execute(
        select(Segment.id, Segment.path).where(Segment.volume == spec.name))}
    on_disk: set[str] = set()
    recent = time.time() - fresh_s
    for file in sorted(root.glob("*/*/*/*/*/*.mp4*")):
        rel = file.relative_to(root).as_posix()
        match = NAME.match(rel)
        if match is None:
            continue
        try:
            if file.stat().st_mtime > recent:
                on_disk.add(rel.removesuffix(".part"))
                continue
        except FileNotFoundError:
            continue
        if match["part"]:
            finished = _finalise_part(root, rel, report, tag)
            if finished is None:
                continue
            rel = finished
        on_disk.add(rel)
        if rel in rows:
            continue
        device_id = codes.get(match["code"])
        found = probe(root / rel)
        if found is None or device_id is None:
            # Unreadable, or of a camera no longer in the registry: nothing could ever play it back.
            (root / rel).unlink(missing_ok=True)
            report.files_deleted.append(f"{tag}:{rel}")
            continue
        start = datetime.fromtimestamp(int(match["ms"]) / 1000, tz=UTC)
        session.add(Segment(
            device_id=device_id, stream=StreamKind.MAIN.value, volume=spec.name, path=rel, start_at=start,
            end_at=start + timedelta(seconds=found.duration_s), bytes=(root / rel).stat().st_size,
            frames=found.frames, codec=found.codec, width=found.width, height=found.height, created_at=now,
        ))
        report.files_indexed.append(f"{tag}:{rel}")
    gone = [path for path in rows if path not in on_disk]
    if gone:
        session.execute(delete(Segment).where(Segment.id.in_([rows[path] for path in gone])))
        report.rows_removed.extend(f"{tag}:{path}" for path in gone)


def reconcile(*, session: Session, specs: Sequence[VolumeSpec], now: datetime | None = None,
              fresh_s: float = FRESH_S) -> RepairReport:
    """Reconcile every present volume; says what it did in the log and the report."""
    now = now or utcnow()
    report = RepairReport()
    codes = {code: device_id for device_id, code in session.execute(select(Device.id, Device.code))}
    for spec in specs:
        if not spec.path.is_dir() or not (spec.path / MARKER).exists():
            report.volumes_skipped.append(spec.name)
            continue
        reconcile_volume(session=session, spec=spec, codes=codes, report=report, now=now, fresh_s=fresh_s)
    for kind, items in (("row without file removed", report.rows_removed), ("file indexed", report.files_indexed),
                        ("unreadable file deleted", report.files_deleted),
                        ("interrupted segment finalised", report.parts_finalised),
                        ("empty interrupted segment removed", report.parts_removed)):
        for item in items:
            log.info("recording repair: %s: %s", kind, item)
    log.info("recording repair: %s", report.summary())
    return report
