"""HTTP routes of evidence exports: request, list, read, download (audited) and delete (protections released)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Path, Response
from sqlalchemy.orm import Session
from starlette.responses import FileResponse

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import NotFound, QorgauError
from qorgau.core.pagination import DEFAULT_LIMIT, Page, decode_cursor, encode_cursor
from qorgau.core.runtime import Runtime
from qorgau.core.web import AppRuntime, ClientSource, DbSession, PageLimit, ReadSession, RequestLanguage
from qorgau.devices.models import Device
from qorgau.video import exports
from qorgau.video.access import camera_for
from qorgau.video.config import VideoSettings
from qorgau.video.enums import ExportState
from qorgau.video.export_job import discard
from qorgau.video.export_schemas import ExportCreate, ExportRead
from qorgau.video.models import Export

router = APIRouter(prefix="/api/video/exports", tags=["video"])
Exporter = Annotated[Principal, Require(Permission.VIDEO_EXPORT)]
ExportId = Annotated[str, Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                                description="The export's id (a UUID).")]


def _cameras(session: Session, principal: Principal, codes: list[str]) -> list[Device]:
    """Each camera, if the caller may export it (a camera it may not see is a 404)."""
    return [camera_for(session, code=code, principal=principal, permission=Permission.VIDEO_EXPORT)
            for code in dict.fromkeys(codes)]


def _visible(session: Session, principal: Principal, export_id: str) -> Export:
    """The export, if the caller may see every one of its cameras; otherwise it does not exist for them."""
    export = exports.get(session, export_id=export_id)
    try:
        _cameras(session, principal, list(export.cameras))
    except NotFound as exc:
        raise NotFound("video.export_not_found") from exc
    return export


def _exports_dir(runtime: Runtime) -> FsPath:
    return runtime.settings.part(VideoSettings).exports_dir


def _before(cursor: str | None) -> tuple[datetime, str] | None:
    key = decode_cursor(cursor)
    if key is None:
        return None
    try:
        at, export_id = key
        return datetime.fromisoformat(at), str(export_id)
    except (TypeError, ValueError) as exc:
        raise QorgauError("request.bad_cursor", status=400) from exc


@router.post("", response_model=ExportRead, status_code=201)
def request_export(body: ExportCreate, principal: Exporter, db: DbSession, source: ClientSource,
                   language: RequestLanguage) -> ExportRead:
    """Export a range of one or more cameras; built in the background (state pending → running → done)."""
    devices = _cameras(db, principal, body.cameras)
    export = exports.request(session=db, devices=devices, start_at=body.start_at, end_at=body.end_at,
                             reason=body.reason.strip(), incident_id=body.incident_id,
                             actor=principal.actor(source), ctx=principal.context())
    return ExportRead.of(export, language)


@router.get("", response_model=Page[ExportRead])
def list_exports(principal: Exporter, db: ReadSession, language: RequestLanguage, cursor: str | None = None,
                 limit: PageLimit = DEFAULT_LIMIT) -> Page[ExportRead]:
    """Exports of cameras the caller may see, newest first."""
    before, more = _before(cursor), True
    items: list[ExportRead] = []
    while more and len(items) <= limit:
        batch = exports.page(db, before=before, limit=limit + 1)
        more = len(batch) == limit + 1
        for export in batch:
            before = (export.created_at, export.id)
            try:
                _cameras(db, principal, list(export.cameras))
            except NotFound:
                continue
            items.append(ExportRead.of(export, language))
            if len(items) > limit:
                break
    page = items[:limit]
    next_cursor = (encode_cursor([page[-1].created_at.isoformat(), page[-1].id])
                   if len(items) > limit else None)
    return Page(items=page, next_cursor=next_cursor)


@router.get("/{export_id}", response_model=ExportRead)
def get_export(export_id: ExportId, principal: Exporter, db: ReadSession, language: RequestLanguage) -> ExportRead:
    return ExportRead.of(_visible(db, principal, export_id), language)


@router.get("/{export_id}/download", response_class=FileResponse,
            responses={200: {"content": {"application/zip": {}}, "description": "The export's zip."}})
def download_export(export_id: ExportId, principal: Exporter, db: DbSession, runtime: AppRuntime,
                    source: ClientSource) -> FileResponse:
    """The export's zip (MP4 files and the signed manifest); every download is an audit entry."""
    export = _visible(db, principal, export_id)
    if export.state != ExportState.DONE.value:
        raise QorgauError("video.export_not_ready", status=409, params={"state": export.state})
    path = _exports_dir(runtime) / f"{export.id}.zip"
    if not path.is_file():
        raise QorgauError("video.export_file_missing", status=410)
    exports.record_download(session=db, export=export, actor=principal.actor(source))
    return FileResponse(path, media_type="application/zip", filename=f"qorgau-export-{export.id}.zip")


@router.delete("/{export_id}", status_code=204)
def delete_export(export_id: ExportId, principal: Exporter, runtime: AppRuntime, source: ClientSource) -> Response:
    """Delete an export and its files; the recordings it protected may then be removed by retention."""
    # Its own unit of work: the files go only once the deletion is committed.
    with runtime.db.unit_of_work() as session:
        export = _visible(session, principal, export_id)
        exports.delete(session=session, export=export, actor=principal.actor(source), ctx=principal.context())
    discard(_exports_dir(runtime), export_id)
    return Response(status_code=204)
