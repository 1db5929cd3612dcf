"""HTTP routes of the roads: reads pushed by ANPR cameras, search and tracking (with a reason, audited), the
pictures, recent hits, and the watch lists with their entries and CSV import.

Who may push a read: `devices:write`, the permission of speaking for devices — an ANPR integration signs in with
an API token scoped to it (`qorgau tokens`), the simulator with its own role, which reaches simulated cameras only.
Reads are not webhook events: they carry pictures and must be matched in the same transaction, so they come
through this route rather than the HMAC-signed vendor webhook.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from starlette.requests import Request

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import ValidationFailed
from qorgau.core.time import as_utc, to_local, utcnow
from qorgau.core.web import BULK_BODY_MARK, AppRuntime, ClientSource, DbSession, IdPath, ReadSession
from qorgau.devices.models import Device
from qorgau.roads import service, watchlists
from qorgau.roads.config import RoadsSettings
from qorgau.roads.schemas import (
    EntryIn,
    EntryRead,
    EntryRemove,
    ImportResult,
    PlateHitRead,
    PlateReadCreated,
    PlateReadIn,
    PlateSearch,
    PlateSearchResult,
    PlateTrack,
    TrackIn,
    WatchlistIn,
    WatchlistRead,
)

router = APIRouter(prefix="/api/roads", tags=["roads"])
Pusher = Annotated[Principal, Require(Permission.DEVICES_WRITE)]
Searcher = Annotated[Principal, Require(Permission.ROADS_READ)]
Editor = Annotated[Principal, Require(Permission.ROADS_WATCHLISTS)]
# The pictures: whoever sees alarm cards sees those of hits; any other read's only with `roads:read`.
AlarmViewer = Annotated[Principal, Require(Permission.ALARMS_READ)]
INVALID: dict[int | str, dict[str, Any]] = {422: {"description": "Invalid: every problem is listed in `errors`."}}
CSV_BODY = {BULK_BODY_MARK: True, "requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}}}}}


async def _raw_body(request: Request) -> bytes:
    return await request.body()


def _settings(runtime: AppRuntime) -> RoadsSettings:
    return runtime.settings.part(RoadsSettings)


@router.post("/reads", response_model=PlateReadCreated, status_code=201, responses=INVALID,
             openapi_extra={BULK_BODY_MARK: True})
def push_read(body: PlateReadIn, principal: Pusher, db: DbSession, runtime: AppRuntime) -> PlateReadCreated:
    """One plate read by a camera; matched with the watch lists at once (a hit raises an alarm)."""
    camera = db.get(Device, body.device_id)
    principal.confine(simulated=camera.simulated if camera is not None else False)
    recorded = service.record(db, read=body, ctx=principal.context(),
                              max_unknown=_settings(runtime).roads_match_max_unknown)
    return PlateReadCreated(id=recorded.read_id, hits=recorded.hits)


@router.post("/search", response_model=PlateSearchResult, responses=INVALID)
def search(body: PlateSearch, principal: Searcher, db: DbSession, source: ClientSource) -> PlateSearchResult:
    """Reads by full or partial plate (`?`, `*`, confusables tolerated), period, camera, direction; the reason is
    required and every search is audited."""
    return service.search(db, query=body, actor=principal.actor(source))


@router.post("/track", response_model=PlateTrack, responses=INVALID)
def track(body: TrackIn, principal: Searcher, db: DbSession, runtime: AppRuntime,
          source: ClientSource) -> PlateTrack:
    """Where was this car: its reads across the cameras in time order (today, local time, by default); audited."""
    now = utcnow()
    midnight = datetime.combine(to_local(now, runtime.settings.zone).date(), time(0), runtime.settings.zone)
    since = body.since or as_utc(midnight)
    until = body.until or now + timedelta(minutes=1)
    return service.track(db, plate=body.plate, since=since, until=until, reason=body.reason,
                         actor=principal.actor(source))


@router.get("/hits", response_model=list[PlateHitRead])
def hits(_: Searcher, db: ReadSession, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[PlateHitRead]:
    """The latest watch-list hits, newest first."""
    return service.recent_hits(db, limit=limit)


def _picture(principal: Principal, db: ReadSession, read_id: int, which: str) -> Response:
    data = service.picture(db, read_id=read_id, which=which, kept_only=not principal.can(Permission.ROADS_READ))
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/reads/{read_id}/crop.jpg", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}}}, 404: {"description": "No such read"}})
def crop(read_id: IdPath, principal: AlarmViewer, db: ReadSession) -> Response:
    """The plate's picture of a read."""
    return _picture(principal, db, read_id, "crop")


@router.get("/reads/{read_id}/snapshot.jpg", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}}}, 404: {"description": "No such read or no frame"}})
def snapshot(read_id: IdPath, principal: AlarmViewer, db: ReadSession) -> Response:
    """The whole frame of a read."""
    return _picture(principal, db, read_id, "snapshot")


@router.post("/reads/{read_id}/keep", status_code=204, response_class=Response, responses=INVALID)
def keep_read(read_id: IdPath, body: EntryRemove, principal: Searcher, db: DbSession, source: ClientSource) -> Response:
    """Keep a read as evidence (an incident, a case) past the keeping period; the reason is audited."""
    service.keep(db, read_id=read_id, reason=body.reason, actor=principal.actor(source))
    return Response(status_code=204)


# --- watch lists ----------------------------------------------------------------------------------------------


@router.get("/watchlists", response_model=list[WatchlistRead])
def list_watchlists(_: Searcher, db: ReadSession) -> list[WatchlistRead]:
    return watchlists.lists(db)


@router.post("/watchlists", response_model=WatchlistRead, status_code=201, responses=INVALID)
def create_watchlist(body: WatchlistIn, principal: Editor, db: DbSession, source: ClientSource) -> WatchlistRead:
    created = watchlists.create_list(db, list_in=body, actor=principal.actor(source))
    return watchlists.list_read(created, 0)


@router.put("/watchlists/{list_id}", response_model=WatchlistRead, responses=INVALID)
def update_watchlist(list_id: IdPath, body: WatchlistIn, principal: Editor, db: DbSession,
                     source: ClientSource) -> WatchlistRead:
    updated = watchlists.update_list(db, list_id=list_id, list_in=body, actor=principal.actor(source))
    return watchlists.list_read(updated, len(watchlists.entries(db, list_id)))


@router.delete("/watchlists/{list_id}", status_code=204, response_class=Response, responses=INVALID)
def delete_watchlist(list_id: IdPath, body: EntryRemove, principal: Editor, db: DbSession,
                     source: ClientSource) -> Response:
    watchlists.delete_list(db, list_id=list_id, reason=body.reason, actor=principal.actor(source))
    return Response(status_code=204)


@router.get("/watchlists/{list_id}/entries", response_model=list[EntryRead])
def list_entries(list_id: IdPath, _: Searcher, db: ReadSession) -> list[EntryRead]:
    return watchlists.entries(db, list_id)


@router.post("/watchlists/{list_id}/entries", response_model=EntryRead, status_code=201, responses=INVALID)
def add_entry(list_id: IdPath, body: EntryIn, principal: Editor, db: DbSession, source: ClientSource) -> EntryRead:
    return watchlists.entry_read(watchlists.add_entry(db, list_id=list_id, entry_in=body,
                                                      actor=principal.actor(source)))


@router.put("/watchlists/{list_id}/entries/{entry_id}", response_model=EntryRead, responses=INVALID)
def update_entry(list_id: IdPath, entry_id: IdPath, body: EntryIn,
                 principal: Editor, db: DbSession, source: ClientSource) -> EntryRead:
    return watchlists.entry_read(watchlists.update_entry(db, list_id=list_id, entry_id=entry_id, entry_in=body,
                                                         actor=principal.actor(source)))


@router.delete("/watchlists/{list_id}/entries/{entry_id}", status_code=204, response_class=Response,
               responses=INVALID)
def remove_entry(list_id: IdPath, entry_id: IdPath, body: EntryRemove, principal: Editor, db: DbSession,
                 source: ClientSource) -> Response:
    watchlists.remove_entry(db, list_id=list_id, entry_id=entry_id, reason=body.reason,
                            actor=principal.actor(source))
    return Response(status_code=204)


@router.post("/watchlists/import", response_model=ImportResult, status_code=201, responses=INVALID,
             openapi_extra=CSV_BODY)
def import_watchlists(principal: Editor, db: DbSession, source: ClientSource,
                      payload: Annotated[bytes, Depends(_raw_body)],
                      reason: Annotated[str, Query(min_length=3, max_length=400,
                                                   description="Why the lists are imported (audited).")]
                      ) -> ImportResult:
    """Entries from a CSV (`list,kind,pattern,reason,valid_until`): all or none; each problem with its line."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("roads.import_rejected", params={"count": 1},
                               errors=[watchlists.problem("not_utf8", 1)]) from None
    return watchlists.import_csv(db, text=text, reason=reason, actor=principal.actor(source))
