"""Building an evidence export: each camera's recorded segments over a range remuxed into plain MP4 (or transcoded
with its privacy masks burned in), a signed manifest, and a zip of both; files appear only when complete.

Trimming is at key-frame granularity: a file starts at the last key frame at or before the requested start (so
its first frame decodes) and ends with the last frame before the requested end; the manifest says both the
requested and the actual range, and the gaps where nothing was recorded.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.container import InputContainer, OutputContainer
from av.packet import Packet

from qorgau import __version__
from qorgau.audit.signing import Signer
from qorgau.core.time import as_utc

MANIFEST = "manifest.json"
FORMAT = "qorgau-video-export/1"
STATEMENT_TAG = b"qorgau-video-export:v1:"  # signatures cover tag + canonical bytes: never a checkpoint statement
GAP_S = 1.0  # a hole longer than this between recorded frames is reported as a gap


@dataclass(frozen=True)
class SourceSegment:
    """One recorded file of a camera, with the wall time of its first frame (pts 0)."""

    path: Path
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True)
class CameraJob:
    code: str
    segments: list[SourceSegment]  # ordered by start_at
    masks: list[list[list[float]]] = field(default_factory=list)


@dataclass(frozen=True)
class ExportJob:
    """Everything the builder needs, read from the database before the heavy work starts."""

    id: str
    cameras: list[CameraJob]
    start_at: datetime
    end_at: datetime
    reason: str
    incident_id: int | None
    created_by: str
    created_by_name: str | None
    created_at: datetime


@dataclass
class _Part:
    """One output file being written: the format of its stream and where the packets came from."""

    name: str
    path: Path
    container: OutputContainer
    signature: tuple[str, int, int, bytes | None]
    time_base: Fraction
    base_wall: datetime
    first_wall: datetime | None = None
    last_end: datetime | None = None
    frames: int = 0
    last_dts: int | None = None
    stream: Any = None


@dataclass
class BuildResult:
    folder: Path
    zip_path: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    bytes: int


def canonical(manifest: dict[str, Any]) -> bytes:
    """The bytes a signature covers: the manifest without its signature, keys sorted, no spaces."""
    body = {key: value for key, value in manifest.items() if key != "signature"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _iso(at: datetime) -> str:
    return as_utc(at).isoformat().replace("+00:00", "Z")


def _wall(segment: SourceSegment, ticks: int, time_base: Fraction) -> datetime:
    return as_utc(segment.start_at) + timedelta(seconds=float(ticks * time_base))


class _CameraWriter:
    """Remuxes one camera's packets into MP4 parts; a change of codec or resolution starts a new part."""

    def __init__(self, job: CameraJob, folder: Path, start: datetime, end: datetime) -> None:
        self.job, self.folder, self.start, self.end = job, folder, as_utc(start), as_utc(end)
        self.parts: list[_Part] = []
        self.gaps: list[tuple[datetime, datetime]] = []
        self._current: _Part | None = None
        # The GOP before `start`, from its key frame: (packet, wall, end, its segment's start).
        self._pending: list[tuple[Packet[Any], datetime, datetime, datetime]] = []
        self._pending_signature: tuple[str, int, int, bytes | None] | None = None
        self._last_end: datetime | None = None

    def run(self) -> None:
        for segment in self.job.segments:
            # Each segment starts at a key frame, so one that ends before the range adds nothing decodable.
            if as_utc(segment.end_at) <= self.start:
                continue
            if as_utc(segment.start_at) >= self.end:
                break
            with av.open(str(segment.path)) as source:
                self._segment(segment, source)
        self._close()

    def _segment(self, segment: SourceSegment, source: InputContainer) -> None:
        stream = source.streams.video[0]
        time_base = Fraction(stream.time_base or Fraction(1, 90000))
        ctx = stream.codec_context
        signature = (str(ctx.name), int(ctx.width), int(ctx.height), bytes(ctx.extradata or b"") or None)
        for packet in source.demux(stream):
            if packet.dts is None or packet.pts is None or packet.size == 0:
                continue
            wall = _wall(segment, packet.pts, time_base)
            decode_wall = _wall(segment, packet.dts, time_base)
            duration = timedelta(seconds=float((packet.duration or 0) * time_base))
            if decode_wall >= self.end:
                return
            if wall < self.start and self._current is None:
                if packet.is_keyframe:  # a later key frame at or before `start`: begin there instead
                    self._pending, self._pending_signature = [], signature
                if self._pending_signature is not None:
                    self._pending.append((packet, wall, wall + duration, as_utc(segment.start_at)))
                continue
            if self._pending:
                for held, held_wall, held_end, held_start in self._pending:
                    self._write(held, held_wall, held_end, held_start, self._pending_signature or signature,
                                stream, time_base)
                self._pending = []
            if self._current is None and not packet.is_keyframe:
                continue  # the range starts mid-GOP with no key frame before it: wait for one
            self._write(packet, wall, wall + duration, as_utc(segment.start_at), signature, stream, time_base)

    def _write(self, packet: Packet[Any], wall: datetime, end: datetime, segment_start: datetime,
               signature: tuple[str, int, int, bytes | None], stream: Any, time_base: Fraction) -> None:
        part = self._current
        if part is None or part.signature != signature or part.time_base != time_base:
            if not packet.is_keyframe:
                return  # a new format must start at a key frame
            self._close()
            part = self._current = self._open(signature, stream, time_base, wall)
        if self._last_end is not None and (wall - self._last_end).total_seconds() > GAP_S:
            self.gaps.append((self._last_end, wall))
        # Segments' pts start at 0: shift each by its start's distance from the part's first frame, so the
        # segments of one part line up on one timeline (gaps stay gaps).
        shift = round(Fraction((segment_start - part.base_wall) // timedelta(microseconds=1), 10**6) / time_base)
        pts, dts = (packet.pts or 0) + shift, (packet.dts or 0) + shift  # demux skipped packets without them
        if part.last_dts is not None and dts <= part.last_dts:
            dts = part.last_dts + 1  # rounding at a segment boundary must not move decode order back
        packet.pts, packet.dts = max(pts, dts), dts
        part.last_dts = dts
        packet.stream = part.stream
        packet.time_base = time_base
        part.container.mux(packet)
        part.frames += 1
        part.first_wall = part.first_wall or wall
        part.last_end = max(part.last_end or end, end)
        self._last_end = end

    def _open(self, signature: tuple[str, int, int, bytes | None], stream: Any, time_base: Fraction,
              wall: datetime) -> _Part:
        number = len(self.parts) + 1
        name = f"{self.job.code}.mp4" if number == 1 else f"{self.job.code}-{number}.mp4"
        path = self.folder / (name + ".remux.mp4" if self.job.masks else name)
        container = av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"})
        out = container.add_stream_from_template(stream)
        out.time_base = time_base
        part = _Part(name=name, path=path, container=container, signature=signature, time_base=time_base,
                     base_wall=wall, stream=out)
        self.parts.append(part)
        return part

    def _close(self) -> None:
        if self._current is not None:
            self._current.container.close()
            self._current = None


def _transcode(src: Path, dst: Path, masks: list[list[list[float]]]) -> None:
    """Burn the privacy masks in (H.264 out), with the live view's transcoder."""
    from qorgau.video.transcode import transcode_file

    transcode_file(src, dst, masks=tuple(tuple((float(x), float(y)) for x, y in polygon) for polygon in masks))


def _camera(job: CameraJob, folder: Path, start: datetime, end: datetime) -> dict[str, Any]:
    writer = _CameraWriter(job, folder, start, end)
    writer.run()
    files = []
    for part in writer.parts:
        final = folder / part.name
        if job.masks:
            _transcode(part.path, final, job.masks)
            part.path.unlink()
        files.append({
            "name": part.name, "bytes": final.stat().st_size, "sha256": sha256_of(final),
            "codec": "h264" if job.masks else part.signature[0], "width": part.signature[1],
            "height": part.signature[2], "frames": part.frames,
            "start_at": _iso(part.first_wall or start), "end_at": _iso(part.last_end or start),
            "privacy_masks_burned_in": bool(job.masks),
        })
    actual = ({"from": files[0]["start_at"], "to": files[-1]["end_at"]} if files else None)
    return {"code": job.code, "actual": actual, "files": files, "privacy_masks": job.masks,
            "gaps": [{"from": _iso(a), "to": _iso(b)} for a, b in writer.gaps]}


def build(job: ExportJob, *, exports_dir: Path, signer: Signer) -> BuildResult:
    """Write `<exports_dir>/<id>/` and `<id>.zip`; on any failure nothing of this export is left behind."""
    exports_dir.mkdir(parents=True, exist_ok=True)
    # The folder and the zip each hold about the recorded bytes: refuse early rather than fill the disk mid-way.
    needed = 2 * sum(s.path.stat().st_size for c in job.cameras for s in c.segments if s.path.exists())
    free = shutil.disk_usage(exports_dir).free
    if needed > free:
        raise OSError(f"not enough space for the export: about {needed >> 20} MiB needed, {free >> 20} MiB free")
    work = exports_dir / f"{job.id}.tmp"
    folder, zip_path = exports_dir / job.id, exports_dir / f"{job.id}.zip"
    discard(exports_dir, job.id)
    try:
        work.mkdir()
        cameras = [_camera(camera, work, job.start_at, job.end_at) for camera in job.cameras]
        manifest: dict[str, Any] = {
            "format": FORMAT, "export_id": job.id, "qorgau_version": __version__,
            "requested": {"from": _iso(job.start_at), "to": _iso(job.end_at)},
            "cameras": cameras, "reason": job.reason, "incident_id": job.incident_id,
            "requested_by": {"actor": job.created_by, "name": job.created_by_name},
            "requested_at": _iso(job.created_at),
            "trimming": "key frame: each file starts at the last key frame at or before the requested start",
        }
        manifest["signature"] = {
            "algorithm": "Ed25519", "key_id": signer.key_id, "public_key": signer.public_key,
            "signed": "tag 'qorgau-video-export:v1:' + the manifest without 'signature', JSON, keys sorted, "
                      "separators ',' ':', UTF-8",
            "value": signer.sign_bytes(STATEMENT_TAG + canonical(manifest)),
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n"
        (work / MANIFEST).write_bytes(data)
        tmp_zip = exports_dir / f"{job.id}.zip.part"
        with zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_STORED) as archive:  # MP4 does not compress
            for path in sorted(work.iterdir()):
                archive.write(path, f"{job.id}/{path.name}")
        work.rename(folder)
        tmp_zip.rename(zip_path)
    except BaseException:
        discard(exports_dir, job.id)
        raise
    return BuildResult(folder=folder, zip_path=zip_path, manifest=manifest,
                       manifest_sha256=hashlib.sha256(data).hexdigest(), bytes=zip_path.stat().st_size)


def discard(exports_dir: Path, export_id: str) -> None:
    """Remove whatever exists of an export: the work folder, the folder, the zip and a partial zip."""
    for name in (f"{export_id}.tmp", export_id):
        shutil.rmtree(exports_dir / name, ignore_errors=True)
    for name in (f"{export_id}.zip", f"{export_id}.zip.part"):
        (exports_dir / name).unlink(missing_ok=True)
