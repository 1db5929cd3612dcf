"""HTTP routes of the device registry: devices, sites, health, nearest cameras, bulk import and export."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel
from starlette.requests import Request

from qorgau.audit import service as audit
from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import QorgauError
from qorgau.core.i18n import translate
from qorgau.core.pagination import DEFAULT_LIMIT, Page, decode_cursor, encode_cursor
from qorgau.core.settings import Language
from qorgau.core.web import BULK_BODY_MARK, AppRuntime, ClientSource, DbSession, PageLimit, ReadSession, RequestLanguage
from qorgau.devices import health, importexport, places, queries, service, sites
from qorgau.devices.checks import Problem
from qorgau.devices.enums import CameraPurpose, DeviceKind, Health, Lifecycle, SiteKind, SiteSubtype
from qorgau.devices.schemas import (
    DeviceCreate,
    DevicePatch,
    DeviceRead,
    Heartbeat,
    HeartbeatRead,
    ImportResult,
    NearestCamera,
    SiteFields,
    SitePatch,
    SiteRead,
    Summary,
)

router = APIRouter(prefix="/api", tags=["devices"])
Reader = Annotated[Principal, Require(Permission.DEVICES_READ)]
Writer = Annotated[Principal, Require(Permission.DEVICES_WRITE)]
IMPORT_TYPES: dict[str, importexport.Format] = {
    "text/csv": "csv", "application/geo+json": "geojson", "application/json": "geojson"}
# Marks the route that may take bodies up to max_import_bytes (read by the body-limit middleware).
BULK_BODY = {BULK_BODY_MARK: True, "requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}},
    "application/geo+json": {"schema": {"type": "object"}}}}}


def _after_code(cursor: str | None) -> str | None:
    """The code a cursor of these lists carries; anything else is a bad cursor, not a 500."""
    after = decode_cursor(cursor)
    if after is not None and (not isinstance(after, str) or len(after) > 64):
        raise QorgauError("request.bad_cursor", status=400)
    return after


def _bbox(value: str | None) -> queries.BBox | None:
    if value is None:
        return None
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise QorgauError("devices.bad_bbox", status=422, errors=[{"field": "bbox", "message": value[:100]}])
    box = queries.BBox(*numbers)
    if not (-180 <= box.min_lon <= box.max_lon <= 180 and -90 <= box.min_lat <= box.max_lat <= 90):
        raise QorgauError("devices.bad_bbox", status=422, errors=[{"field": "bbox", "message": value[:100]}])
    return box


async def _raw_body(request: Request) -> bytes:
    return await request.body()


def _json(model: BaseModel) -> Response:
    """An already validated model, serialised once (FastAPI would dump and re-validate it: hot list paths)."""
    return Response(model.model_dump_json(), media_type="application/json")


@router.get("/devices", response_model=Page[DeviceRead])
def list_devices(
    _: Reader, db: ReadSession, kind: Annotated[list[DeviceKind] | None, Query()] = None,
    purpose: Annotated[list[CameraPurpose] | None, Query()] = None, site: str | None = None,
    status: Annotated[list[Health] | None, Query(description="Health: online, degraded, offline, unknown.")] = None,
    lifecycle: Annotated[list[Lifecycle] | None, Query()] = None,
    bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Text in the code or a name.")] = None,
    simulated: Annotated[bool | None, Query(description="Only devices the simulator drives (true) or not.")] = None,
    cursor: str | None = None, limit: PageLimit = DEFAULT_LIMIT,
) -> Response:
    """Devices by code, filtered by kind, purpose, site, health, lifecycle, bounding box, text and simulation."""
    where = queries.DeviceFilter(kinds=kind or (), purposes=purpose or (), site=site, health=status or (),
                                 lifecycles=lifecycle or (), bbox=_bbox(bbox), text=q, simulated=simulated)
    rows = queries.page(db, where=where, after=_after_code(cursor), limit=limit + 1)
    items = [service.to_read(d) for d in rows[:limit]]
    return _json(Page(items=items, next_cursor=encode_cursor(items[-1].code) if len(rows) > limit else None))


@router.post("/devices", response_model=DeviceRead, status_code=201)
def create_device(body: DeviceCreate, principal: Writer, db: DbSession, source: ClientSource) -> DeviceRead:
    principal.confine(simulated=body.simulated)
    """Register a device; credentials are stored encrypted and never returned."""
    device = service.create(db, device_in=body, actor=principal.actor(source), ctx=principal.context())
    return service.to_read(device)


@router.get("/devices/summary", response_model=Summary)
def summary(_: Reader, db: ReadSession, runtime: AppRuntime) -> Summary:
    """Counts by kind, purpose and health of devices in service, and of all devices by lifecycle."""
    return queries.summary_for(runtime.db).get(db)[0]


@router.get("/devices/geojson", responses={200: {"content": {"application/geo+json": {}}},
                                           304: {"description": "Unchanged since the ETag sent"}})
def devices_geojson(_: Reader, db: ReadSession, runtime: AppRuntime, request: Request) -> Response:
    """Every device as a GeoJSON point (code, kind, purpose, health, lifecycle, names, site, optics) for the map."""
    body, key = queries.geojson_for(runtime.db).get(db)
    etag = f'"devices-{"-".join(map(str, key)) if isinstance(key, tuple) else key}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/geo+json", headers=headers)


@router.get("/devices/export", responses={200: {"content": {"text/csv": {}, "application/geo+json": {}}}})
def export_devices(principal: Writer, db: DbSession, source: ClientSource,
                   format: importexport.Format = "csv") -> Response:
    """The whole registry as CSV or GeoJSON that imports back unchanged; credentials are never exported."""
    principal.confine(simulated=False)  # the registry is real devices too: not for the simulator's role
    text = importexport.export_devices(db, format, actor=principal.actor(source))
    extension = "csv" if format == "csv" else "geojson"
    return Response(text, media_type=importexport.MEDIA_TYPES[format],
                    headers={"Content-Disposition": f'attachment; filename="devices.{extension}"'})


def _describe(problem: Problem, locator: str, language: Language) -> dict[str, Any]:
    params = {"field": problem.field or "-", "code": problem.code or "-", **problem.params}
    return {locator: problem.locator, "code": problem.code, "field": problem.field, "reason": problem.reason,
            "message": translate(f"devices.row.{problem.reason}", language, **params)}


@router.post("/devices/import", response_model=ImportResult, openapi_extra=BULK_BODY,
             responses={422: {"description": "Nothing imported; `rows` lists every problem"}})
def import_devices(request: Request, principal: Writer, db: DbSession, source: ClientSource,
                   language: RequestLanguage, payload: Annotated[bytes, Depends(_raw_body)]) -> ImportResult:
    """Create or update devices by code from CSV or a GeoJSON FeatureCollection: all rows, or none."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = IMPORT_TYPES.get(media)
    if fmt is None:
        raise QorgauError("devices.import_media_type", status=415)
    try:
        return importexport.import_devices(db, payload, fmt, actor=principal.actor(source), ctx=principal.context(),
                                           simulated_only=principal.simulated_only)
    except importexport.ImportRejected as exc:
        rows = [_describe(p, exc.locator, language) for p in exc.problems]
        raise QorgauError(exc.code, status=422, params=exc.params, extra={"rows": rows},
                          errors=[{"field": f"{exc.locator} {r[exc.locator]}: {r['field'] or '-'}",
                                   "message": r["message"]} for r in rows]) from exc


class NearestResult(Page[NearestCamera]):
    pass


@router.get("/devices/nearest-cameras", response_model=NearestResult)
def nearest_cameras(_: Reader, db: ReadSession, runtime: AppRuntime,
                    lon: Annotated[float, Query(ge=-180, le=180)], lat: Annotated[float, Query(ge=-90, le=90)],
                    limit: Annotated[int, Query(ge=1, le=100)] = 10,
                    site: Annotated[str | None, Query(max_length=32, description="A site whose own cameras are "
                                                      "listed first, seeing the point or not.")] = None,
                    near_m: Annotated[float, Query(ge=0, le=1000, description="After the cameras that see the "
                                                   "point, those standing this close (0: none).")] = places.NEAR_M,
                    ) -> NearestResult:
    """Cameras for a point: the site's own first, then those that see it (in range, inside the field of view)
    best first (see `score`), then those standing within `near_m` (`sees` false)."""
    items = places.cameras_for(runtime.db, db, lon, lat, limit, site_code=site.strip().upper() if site else None,
                               near_m=near_m)
    return NearestResult(items=items, next_cursor=None)


@router.get("/devices/{code}", response_model=DeviceRead)
def get_device(code: str, _: Reader, db: ReadSession) -> DeviceRead:
    return service.to_read(service.get(db, code))


@router.patch("/devices/{code}", response_model=DeviceRead)
def update_device(code: str, body: DevicePatch, principal: Writer, db: DbSession, source: ClientSource
                  ) -> DeviceRead:
    """Change a device; fields left out keep their values, null clears an optional one."""
    principal.confine(simulated=service.get(db, code).simulated and body.simulated is not False)
    device = service.update(db, code=code, patch=body, actor=principal.actor(source), ctx=principal.context())
    # Which fields changed hands is audited here; a credential change has its own record (devices.credentials_change).
    audit.record(db, action="devices.update", actor=principal.actor(source), target_type="device",
                 target_id=device.code, details={"fields": sorted(body.model_dump(exclude_unset=True))})
    return service.to_read(device)


@router.post("/devices/{code}/decommission", response_model=DeviceRead)
def decommission_device(code: str, principal: Writer, db: DbSession, source: ClientSource) -> DeviceRead:
    """Take a device out of service; its streams and protocol identifiers are released."""
    principal.confine(simulated=service.get(db, code).simulated)
    device = service.decommission(db, code=code, actor=principal.actor(source), ctx=principal.context())
    return service.to_read(device)


@router.post("/devices/{code}/heartbeat", response_model=HeartbeatRead)
def heartbeat(code: str, principal: Writer, db: DbSession, body: Heartbeat | None = None) -> HeartbeatRead:
    """The device is alive (online, or degraded with a detail); works with a bearer token."""
    principal.confine(simulated=service.get(db, code).simulated)
    beat = body or Heartbeat()
    device = health.heartbeat(db, code=code, status=beat.status, detail=beat.detail, ctx=principal.context())
    return HeartbeatRead(code=device.code, health=Health(device.health), last_seen_at=device.last_seen_at,
                         offline_after=device.offline_after)


@router.get("/sites", response_model=Page[SiteRead])
def list_sites(_: Reader, db: ReadSession, kind: Annotated[list[SiteKind] | None, Query()] = None,
               subtype: Annotated[list[SiteSubtype] | None, Query()] = None,
               q: Annotated[str | None, Query(max_length=100)] = None, cursor: str | None = None,
               limit: PageLimit = DEFAULT_LIMIT) -> Page[SiteRead]:
    """Sites by code, filtered by kind, subtype and text."""
    rows = sites.page(db, kinds=kind or (), subtypes=subtype or (), text=q, after=_after_code(cursor),
                      limit=limit + 1)
    items = [SiteRead.model_validate(s) for s in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].code) if len(rows) > limit else None)


@router.post("/sites", response_model=SiteRead, status_code=201)
def create_site(body: SiteFields, principal: Writer, db: DbSession, source: ClientSource) -> SiteRead:
    principal.confine(simulated=False)  # sites are never simulated
    site = sites.create(db, body)
    audit.record(db, action="sites.create", actor=principal.actor(source), target_type="site", target_id=site.code)
    return SiteRead.model_validate(site)


@router.get("/sites/{code}", response_model=SiteRead)
def get_site(code: str, _: Reader, db: ReadSession) -> SiteRead:
    return SiteRead.model_validate(sites.get(db, code))


@router.patch("/sites/{code}", response_model=SiteRead)
def update_site(code: str, body: SitePatch, principal: Writer, db: DbSession, source: ClientSource) -> SiteRead:
    principal.confine(simulated=False)
    site = sites.update(db, code=code, patch=body)
    audit.record(db, action="sites.update", actor=principal.actor(source), target_type="site", target_id=site.code,
                 details={"fields": sorted(body.model_dump(exclude_unset=True))})
    return SiteRead.model_validate(site)
