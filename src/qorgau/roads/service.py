"""Plate reads: record one (matching it with the watch lists and raising a hit at once), search them with a
reason (audited), follow one plate across the cameras, list recent hits, and prune old reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.bus import Context, publish
from qorgau.core.errors import NotFound, ValidationFailed
from qorgau.core.time import utcnow
from qorgau.devices.models import Device
from qorgau.roads import watchlists
from qorgau.roads.enums import RoadsAction
from qorgau.roads.events import PLATE_HIT, PlateHitRaised
from qorgau.roads.matching import canonical
from qorgau.roads.models import PlateHit, PlateRead, Watchlist, WatchlistEntry
from qorgau.roads.schemas import (
    PlateHitRead,
    PlateReadIn,
    PlateReadRead,
    PlateSearch,
    PlateSearchResult,
    PlateTrack,
    TrackPoint,
)

API = "/api/roads"
# Columns a listing needs: never the pictures (they are fetched one by one by URL).
_LISTED: tuple[Any, ...] = (PlateRead.id, PlateRead.device_id, PlateRead.seen_at, PlateRead.plate, PlateRead.format,
           PlateRead.country, PlateRead.foreign, PlateRead.region, PlateRead.confidence, PlateRead.vehicle_class,
           PlateRead.colour, PlateRead.direction, PlateRead.heading_deg, PlateRead.lane, PlateRead.lon,
           PlateRead.lat, PlateRead.kept, PlateRead.snapshot.is_not(None).label("has_snapshot"))


def crop_url(read_id: int) -> str:
    return f"{API}/reads/{read_id}/crop.jpg"


def snapshot_url(read_id: int) -> str:
    return f"{API}/reads/{read_id}/snapshot.jpg"


def _camera(session: Session, device_id: int) -> Device:
    camera = session.get(Device, device_id)
    if camera is None:
        raise ValidationFailed("roads.invalid", params={"count": 1}, errors=[
            {"code": "roads.problem.unknown_camera", "line": "", "field": "device_id", "id": str(device_id)}])
    return camera


@dataclass(frozen=True)
class Recorded:
    """The read's id and the hits it raised."""

    read_id: int
    hits: int


def record_read(session: Session, read: PlateReadIn, *, ctx: Context | None = None,
                max_unknown: int = 1) -> int:
    """Store a read and raise a hit (an alarm) for every watch-list entry it matches; returns the read's id."""
    return record(session, read=read, ctx=ctx, max_unknown=max_unknown).read_id


def record(session: Session, *, read: PlateReadIn, ctx: Context | None = None, max_unknown: int = 1) -> Recorded:
    """`record_read` with the number of hits; the caller owns the transaction."""
    camera = _camera(session, read.device_id)
    row = PlateRead(device_id=camera.id, seen_at=read.seen_at, plate=read.plate, plate_key=canonical(read.plate),
                    format=read.format, country=read.country, foreign=read.country != "KZ", region=read.region,
                    confidence=read.confidence, crop=read.crop, snapshot=read.snapshot,
                    vehicle_class=read.vehicle_class, colour=read.colour,
                    direction=str(read.direction) if read.direction else None, heading_deg=read.heading_deg,
                    lane=read.lane, track_id=read.track_id, lon=camera.lon, lat=camera.lat, kept=False)
    session.add(row)
    session.flush()
    entry_ids = watchlists.matcher(session).match(read.plate, read.seen_at, max_unknown=max_unknown)
    if entry_ids:
        cause = ctx or Context(actor=f"device:{camera.code}", simulated=camera.simulated)
        _raise_hits(session, row, camera, entry_ids, cause)
    return Recorded(row.id, len(entry_ids))


def _raise_hits(session: Session, read: PlateRead, camera: Device, entry_ids: list[int], ctx: Context) -> None:
    read.kept = True  # evidence of a hit outlives the keeping period
    found = session.execute(select(WatchlistEntry, Watchlist).join(Watchlist)
                            .where(WatchlistEntry.id.in_(entry_ids))).all()
    for entry, watchlist in found:
        hit = PlateHit(read_id=read.id, entry_id=entry.id, watchlist_id=watchlist.id, watchlist_name=watchlist.name,
                       kind=watchlist.kind, pattern=entry.pattern, reason=entry.reason, at=utcnow())
        session.add(hit)
        session.flush()
        publish(session, PLATE_HIT, subject_id=str(camera.id), ctx=ctx, occurred_at=read.seen_at,
                payload=PlateHitRaised(
                    hit_id=hit.id, read_id=read.id, code=camera.code, device_id=camera.id, plate=read.plate,
                    pattern=entry.pattern, watchlist=watchlist.name, kind=watchlist.kind, reason=entry.reason,
                    direction=read.direction, heading_deg=read.heading_deg, vehicle_class=read.vehicle_class,
                    colour=read.colour, lon=read.lon, lat=read.lat, crop_url=crop_url(read.id),
                    snapshot_url=snapshot_url(read.id) if read.snapshot is not None else None,
                    seen_at=read.seen_at))


def read_of_track(session: Session, *, device_id: int, track_id: int, since: datetime,
                  until: datetime) -> PlateRead | None:
    """The plate read of one camera's vehicle track (the video tracker's id) seen within the times given: how the
    violation pipeline finds the plate the plate reader voted for the same vehicle."""
    return session.scalars(select(PlateRead).where(
        PlateRead.device_id == device_id, PlateRead.track_id == track_id, PlateRead.seen_at >= since,
        PlateRead.seen_at <= until).order_by(PlateRead.id.desc()).limit(1)).first()


# --- reading --------------------------------------------------------------------------------------------------


def _cameras(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = session.execute(select(Device.id, Device.code, Device.name_ru).where(Device.id.in_(ids)))
    return {device_id: (code, name) for device_id, code, name in rows}


def _read_of(row: Any, cameras: dict[int, tuple[str, str]]) -> PlateReadRead:
    code, name = cameras.get(row.device_id, ("?", "?"))
    return PlateReadRead(id=row.id, device_id=row.device_id, camera_code=code, camera_name=name,
                         seen_at=row.seen_at, plate=row.plate, format=row.format, country=row.country,
                         foreign=row.foreign, region=row.region, confidence=row.confidence,
                         vehicle_class=row.vehicle_class, colour=row.colour, direction=row.direction,
                         heading_deg=row.heading_deg, lane=row.lane, lon=row.lon, lat=row.lat, kept=row.kept,
                         crop_url=crop_url(row.id), snapshot_url=snapshot_url(row.id) if row.has_snapshot else None)


def _plate_filter(query: Select[Any], pattern: str) -> Select[Any]:
    """Exact plates use the index; a pattern becomes a LIKE of the folded plates (letters and digits only)."""
    key = canonical(pattern)
    if "?" not in key and "*" not in key:
        return query.where(PlateRead.plate_key == key)
    return query.where(PlateRead.plate_key.like("".join("_" if ch == "?" else "%" if ch == "*" else ch
                                                        for ch in key)))


def search(session: Session, *, query: PlateSearch, actor: audit.Actor) -> PlateSearchResult:
    """Reads matching the query, the latest first; audited with the reason whatever it finds."""
    select_reads: Select[Any] = select(*_LISTED).order_by(PlateRead.seen_at.desc(), PlateRead.id.desc())
    if query.plate:
        select_reads = _plate_filter(select_reads, query.plate)
    if query.since:
        select_reads = select_reads.where(PlateRead.seen_at >= query.since)
    if query.until:
        select_reads = select_reads.where(PlateRead.seen_at <= query.until)
    if query.device_id:
        select_reads = select_reads.where(PlateRead.device_id == query.device_id)
    if query.direction:
        select_reads = select_reads.where(PlateRead.direction == str(query.direction))
    rows = list(session.execute(select_reads.limit(query.limit + 1)))
    truncated = len(rows) > query.limit
    rows = rows[:query.limit]
    audit.record(session, action=RoadsAction.SEARCH, actor=actor, target_type="plate_reads",
                 details={"reason": query.reason, "plate": query.plate, "device_id": query.device_id,
                          "direction": str(query.direction) if query.direction else None,
                          "since": query.since.isoformat() if query.since else None,
                          "until": query.until.isoformat() if query.until else None, "found": len(rows)})
    cameras = _cameras(session, {r.device_id for r in rows})
    return PlateSearchResult(items=[_read_of(r, cameras) for r in rows], truncated=truncated)


def track(session: Session, *, plate: str, since: datetime, until: datetime, reason: str,
          actor: audit.Actor) -> PlateTrack:
    """One plate's reads over the period in time order, with where each camera stands; audited."""
    rows = list(session.execute(
        select(PlateRead.id, PlateRead.seen_at, PlateRead.device_id, PlateRead.lon, PlateRead.lat,
               PlateRead.direction, PlateRead.plate)
        .where(PlateRead.plate_key == canonical(plate), PlateRead.seen_at >= since, PlateRead.seen_at <= until)
        .order_by(PlateRead.seen_at, PlateRead.id).limit(1000)))
    audit.record(session, action=RoadsAction.TRACK, actor=actor, target_type="plate_reads",
                 details={"reason": reason, "plate": plate, "since": since.isoformat(),
                          "until": until.isoformat(), "found": len(rows)})
    cameras = _cameras(session, {r.device_id for r in rows})
    return PlateTrack(plate=plate, points=[
        TrackPoint(read_id=r.id, seen_at=r.seen_at, camera_code=cameras.get(r.device_id, ("?", "?"))[0],
                   camera_name=cameras.get(r.device_id, ("?", "?"))[1], lon=r.lon, lat=r.lat,
                   direction=r.direction, plate=r.plate) for r in rows])


def recent_hits(session: Session, *, limit: int) -> list[PlateHitRead]:
    """The latest hits, newest first."""
    rows = list(session.execute(
        select(PlateHit, PlateRead.plate, PlateRead.device_id, PlateRead.direction,
               PlateRead.snapshot.is_not(None).label("has_snapshot"))
        .join(PlateRead, PlateRead.id == PlateHit.read_id).order_by(PlateHit.at.desc(), PlateHit.id.desc())
        .limit(limit)))
    cameras = _cameras(session, {r.device_id for r in rows})
    return [PlateHitRead(id=r.PlateHit.id, read_id=r.PlateHit.read_id, at=r.PlateHit.at, plate=r.plate,
                         pattern=r.PlateHit.pattern, watchlist=r.PlateHit.watchlist_name, kind=r.PlateHit.kind,
                         reason=r.PlateHit.reason, camera_code=cameras.get(r.device_id, ("?", "?"))[0],
                         camera_name=cameras.get(r.device_id, ("?", "?"))[1], direction=r.direction,
                         crop_url=crop_url(r.PlateHit.read_id),
                         snapshot_url=snapshot_url(r.PlateHit.read_id) if r.has_snapshot else None)
            for r in rows]


def picture(session: Session, *, read_id: int, which: str, kept_only: bool) -> bytes:
    """A read's crop or frame; ``kept_only``: for callers who may see the pictures of hits but not search."""
    column = PlateRead.crop if which == "crop" else PlateRead.snapshot
    found = session.execute(select(column, PlateRead.kept).where(PlateRead.id == read_id)).first()
    if found is None or found[0] is None or (kept_only and not found[1]):
        raise NotFound("roads.picture_not_found", params={"id": read_id})
    data: bytes = found[0]
    return data


def keep(session: Session, *, read_id: int, reason: str, actor: audit.Actor) -> None:
    """Keep a read past the keeping period as evidence (an incident, a case); audited with the reason."""
    read = session.get(PlateRead, read_id)
    if read is None:
        raise NotFound("roads.read_not_found", params={"id": read_id})
    read.kept = True
    audit.record(session, action=RoadsAction.KEEP, actor=actor, target_type="plate_read", target_id=str(read_id),
                 details={"reason": reason, "plate": read.plate})


def prune(session: Session, *, keep_days: int, now: datetime | None = None) -> int:
    """Delete reads older than the keeping period unless kept; returns how many went."""
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    result = session.execute(delete(PlateRead).where(PlateRead.seen_at < cutoff, PlateRead.kept.is_(False)))
    return int(getattr(result, "rowcount", 0) or 0)
