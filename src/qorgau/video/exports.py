"""Evidence exports: requesting one (range checked against the recordings, protections, audit), the job's claim,
finish and failure, listing, and deletion (which releases the protections)."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.audit.service import Actor
from qorgau.core.bus import Context, publish
from qorgau.core.errors import Conflict, NotFound, QorgauError
from qorgau.core.time import as_utc, utcnow
from qorgau.devices.enums import DeviceKind
from qorgau.devices.models import Device
from qorgau.incidents import service as incident_service
from qorgau.video.enums import ExportState, ProtectionReason, StreamKind
from qorgau.video.events import EXPORT_CHANGED, ExportChanged
from qorgau.video.export_job import BuildResult, CameraJob, ExportJob, SourceSegment
from qorgau.video.models import Export, Protection, Segment, VideoCamera

MAX_EXPORT = timedelta(hours=24)
MAX_CAMERAS = 16
ACTION_REQUEST = "video.export"
ACTION_DOWNLOAD = "video.export_download"
ACTION_DELETE = "video.export_delete"
INTERRUPTED = "interrupted: the process building it stopped"
STALE_AFTER = timedelta(hours=6)  # a builder on another host silent this long is taken for gone


@dataclass(frozen=True)
class Span:
    """What is recorded of a camera: from the first frame to the end of the last."""

    start_at: datetime
    end_at: datetime


def recorded_span(session: Session, *, device_id: int) -> Span | None:
    row = session.execute(
        select(func.min(Segment.start_at), func.max(Segment.end_at))
        .where(Segment.device_id == device_id, Segment.stream == StreamKind.MAIN.value)
    ).one()
    return Span(as_utc(row[0]), as_utc(row[1])) if row[0] is not None else None


def _overlapping(session: Session, device_id: int, start_at: datetime, end_at: datetime) -> list[Segment]:
    return list(session.scalars(
        select(Segment).where(Segment.device_id == device_id, Segment.stream == StreamKind.MAIN.value,
                              Segment.end_at > start_at, Segment.start_at < end_at)
        .order_by(Segment.start_at)
    ))


def check_range(session: Session, *, devices: list[Device], start_at: datetime, end_at: datetime) -> None:
    """Refuse (422) an empty or too long range, or one beyond what is recorded of any of the cameras."""
    if end_at <= start_at or end_at - start_at > MAX_EXPORT:
        raise QorgauError("video.export_bad_range", status=422, params={"hours": MAX_EXPORT // timedelta(hours=1)})
    for device in devices:
        span = recorded_span(session, device_id=device.id)
        if span is None:
            raise QorgauError("video.export_nothing_recorded", status=422, params={"code": device.code})
        if start_at < span.start_at or end_at > span.end_at:
            raise QorgauError("video.export_beyond_recording", status=422, params={
                "code": device.code, "from": span.start_at.isoformat(), "to": span.end_at.isoformat()},
                extra={"recorded": {"code": device.code, "from": span.start_at.isoformat(),
                                    "to": span.end_at.isoformat()}})
        if not _overlapping(session, device.id, start_at, end_at):
            raise QorgauError("video.export_nothing_recorded", status=422, params={"code": device.code})


def _changed(session: Session, export: Export, ctx: Context) -> None:
    publish(session, EXPORT_CHANGED, subject_id=export.id, ctx=ctx, payload=ExportChanged(
        id=export.id, state=ExportState(export.state), cameras=list(export.cameras),
        start_at=export.start_at, end_at=export.end_at))


def _audit(session: Session, *, action: str, export: Export, actor: Actor) -> None:
    """One entry per camera, so the log answers "who exported camera X" by its target."""
    for code in export.cameras:
        audit.record(session, action=action, actor=actor, target_type="camera", target_id=code, details={
            "export_id": export.id, "cameras": list(export.cameras), "from": as_utc(export.start_at).isoformat(),
            "to": as_utc(export.end_at).isoformat(), "reason": export.reason, "incident_id": export.incident_id})


def request(
    *, session: Session, devices: list[Device], start_at: datetime, end_at: datetime, reason: str,
    incident_id: int | None, actor: Actor, ctx: Context,
) -> Export:
    """A pending export of ``devices`` (already access-checked), its range protected from retention."""
    start_at, end_at = as_utc(start_at), as_utc(end_at)
    if incident_id is not None:
        incident_service.get(session, incident_id)  # 404 when there is no such incident
    check_range(session, devices=devices, start_at=start_at, end_at=end_at)
    now = utcnow()
    export = Export(id=str(uuid.uuid4()), state=ExportState.PENDING.value, cameras=[d.code for d in devices],
                    start_at=start_at, end_at=end_at, reason=reason, incident_id=incident_id,
                    created_by=actor.ref, created_at=now, details={"created_by_name": actor.name})
    session.add(export)
    for device in devices:
        session.add(Protection(device_id=device.id, start_at=start_at, end_at=end_at,
                               reason=ProtectionReason.EXPORT.value, ref=export.id, created_by=actor.ref,
                               created_at=now))
    session.flush()
    _audit(session, action=ACTION_REQUEST, export=export, actor=actor)
    _changed(session, export, ctx)
    return export


def get(session: Session, *, export_id: str) -> Export:
    export = session.get(Export, export_id)
    if export is None:
        raise NotFound("video.export_not_found")
    return export


def page(session: Session, *, before: tuple[datetime, str] | None, limit: int) -> list[Export]:
    """Newest first; ``before`` continues after the (created_at, id) of the last item seen."""
    query = select(Export).order_by(Export.created_at.desc(), Export.id.desc()).limit(limit)
    if before is not None:
        at, export_id = before
        query = query.where((Export.created_at < at) | ((Export.created_at == at) & (Export.id < export_id)))
    return list(session.scalars(query))


def record_download(*, session: Session, export: Export, actor: Actor) -> None:
    _audit(session, action=ACTION_DOWNLOAD, export=export, actor=actor)


def delete(*, session: Session, export: Export, actor: Actor, ctx: Context) -> None:
    """Remove the export's row and release its protections (the caller removes the files after commit)."""
    if export.state == ExportState.RUNNING.value:  # the job holds its files; delete once it is done or failed
        raise Conflict("video.export_running")
    release(session=session, export_id=export.id)
    _audit(session, action=ACTION_DELETE, export=export, actor=actor)
    session.delete(export)


def release(*, session: Session, export_id: str) -> int:
    """Release the protections an export holds; returns how many."""
    result = session.execute(
        update(Protection).where(Protection.ref == export_id, Protection.reason == ProtectionReason.EXPORT.value,
                                 Protection.released_at.is_(None)).values(released_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def _claimant() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _abandoned(export: Export, now: datetime) -> bool:
    """Whether a running export's builder is gone: a process of this host that no longer runs, or one elsewhere
    silent for longer than any export takes."""
    details = export.details or {}
    host, _, pid = str(details.get("claimed_by", "")).rpartition(":")
    if host != socket.gethostname():
        claimed_at = details.get("claimed_at")
        return claimed_at is None or now - datetime.fromisoformat(claimed_at) > STALE_AFTER
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def fail_interrupted(*, session: Session, ctx: Context) -> list[str]:
    """Exports left running by a process that stopped become failed (their files are discarded by the caller)."""
    now = utcnow()
    stale = [export for export in session.scalars(select(Export).where(Export.state == ExportState.RUNNING.value))
             if _abandoned(export, now)]
    for export in stale:
        _finish(session, export, state=ExportState.FAILED, error=INTERRUPTED, ctx=ctx)
    return [export.id for export in stale]


def claim_next(*, session: Session, volumes: dict[str, Path]) -> ExportJob | None:
    """The oldest pending export, marked running, with everything the builder needs; None when none waits."""
    export = session.scalars(select(Export).where(Export.state == ExportState.PENDING.value)
                             .order_by(Export.created_at, Export.id).limit(1)).first()
    if export is None:
        return None
    claim = {**(export.details or {}), "claimed_by": _claimant(), "claimed_at": utcnow().isoformat()}
    claimed = session.execute(update(Export).where(Export.id == export.id, Export.state == ExportState.PENDING.value)
                              .values(state=ExportState.RUNNING.value, details=claim))
    if not getattr(claimed, "rowcount", 0):
        return None  # another process took it first
    session.refresh(export)
    cameras = []
    for code in export.cameras:
        device = session.scalar(select(Device).where(Device.code == code, Device.kind == DeviceKind.CAMERA.value))
        if device is None:
            cameras.append(CameraJob(code=code, segments=[]))
            continue
        video = session.get(VideoCamera, device.id)
        segments = [SourceSegment(path=volumes.get(s.volume, Path("/nonexistent-volume")) / s.path,
                                  start_at=as_utc(s.start_at), end_at=as_utc(s.end_at))
                    for s in _overlapping(session, device.id, as_utc(export.start_at), as_utc(export.end_at))]
        cameras.append(CameraJob(code=code, segments=segments, masks=list(video.privacy_masks or []) if video else []))
    return ExportJob(id=export.id, cameras=cameras, start_at=as_utc(export.start_at), end_at=as_utc(export.end_at),
                     reason=export.reason, incident_id=export.incident_id, created_by=export.created_by,
                     created_by_name=(export.details or {}).get("created_by_name"),
                     created_at=as_utc(export.created_at))


def _finish(session: Session, export: Export, *, state: ExportState, error: str | None, ctx: Context,
            result: BuildResult | None = None) -> None:
    export.state, export.error, export.finished_at = state.value, error[:300] if error else None, utcnow()
    if error is not None:  # what the UI says, translated; `error` keeps the technical cause for administrators
        code = "video.export_interrupted" if error == INTERRUPTED else "video.export_failed"
        export.details = {**(export.details or {}), "error_code": code}
    if result is not None:
        export.bytes, export.manifest_sha256 = result.bytes, result.manifest_sha256
        export.details = {**(export.details or {}), "cameras": [
            {"code": c["code"], "actual": c["actual"], "gaps": c["gaps"],
             "files": [{"name": f["name"], "bytes": f["bytes"], "sha256": f["sha256"]} for f in c["files"]]}
            for c in result.manifest["cameras"]], "key_id": result.manifest["signature"]["key_id"]}
    _changed(session, export, ctx)


def finish(*, session: Session, export_id: str, result: BuildResult, ctx: Context) -> bool:
    """Mark a built export done; False when it was deleted meanwhile (the caller discards the files)."""
    export = session.get(Export, export_id)
    if export is None or export.state != ExportState.RUNNING.value:
        return False
    _finish(session, export, state=ExportState.DONE, error=None, ctx=ctx, result=result)
    return True


def fail(*, session: Session, export_id: str, error: str, ctx: Context) -> None:
    export = session.get(Export, export_id)
    if export is not None and export.state == ExportState.RUNNING.value:
        _finish(session, export, state=ExportState.FAILED, error=error, ctx=ctx)
