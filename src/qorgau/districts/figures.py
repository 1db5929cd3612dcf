"""What the desks show beside the polygons: a district's passport, and proposals with their balance figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from qorgau.city import service as city_service
from qorgau.city.geometry import contains
from qorgau.core.errors import NotFound
from qorgau.core.time import utcnow
from qorgau.devices import queries as device_queries
from qorgau.devices.enums import DeviceKind, SiteKind
from qorgau.devices.schemas import SiteRead
from qorgau.districts import service, workload
from qorgau.districts.models import District
from qorgau.districts.proposal import Workload, propose
from qorgau.districts.schemas import Passport, Proposal, ProposedDistrict
from qorgau.incidents import queries as incident_queries

RECENT = timedelta(days=30)  # the passport's recent incidents
RECENT_LIMIT = 2000  # incidents read to find a district's recent ones (a month of a town's board)
DEVICE_LIMIT = 5000


def sites(session: Session) -> list[SiteRead]:
    """Every registry site, memoised for the transaction."""
    memo: list[SiteRead] | None = session.info.get("districts.sites")
    if memo is None:
        memo = [s for kind in SiteKind for s in device_queries.sites_of_kind(session, kind)]
        session.info["districts.sites"] = memo
    return memo


def site_names(session: Session) -> dict[str, str]:
    """Site code → its Russian name (the passport shows all three languages through the site list)."""
    return {s.code: s.name_ru for s in sites(session)}


def _inside(district: District, points: list[tuple[float, float]]) -> list[bool]:
    if not points:
        return []
    lon, lat = zip(*points, strict=True)
    return [bool(v) for v in contains(district.geometry, list(lon), list(lat))]


def passport(session: Session, district: District, *, norm: int, now: datetime | None = None) -> Passport:
    """Residents, social objects and other sites, cameras and recent incidents inside the district."""
    now = now or utcnow()
    all_sites = sites(session)
    inside = [s for s, ok in zip(all_sites, _inside(district, [(s.lon, s.lat) for s in all_sites]), strict=True)
              if ok]
    social: dict[str, int] = {}
    for site in inside:
        if site.kind == SiteKind.SOCIAL_OBJECT and site.subtype is not None:
            social[site.subtype] = social.get(site.subtype, 0) + 1
    box = device_queries.BBox(district.min_lon, district.min_lat, district.max_lon, district.max_lat)
    cameras = device_queries.page(session, where=device_queries.DeviceFilter(kinds=[DeviceKind.CAMERA], bbox=box),
                                  after=None, limit=DEVICE_LIMIT)
    camera_count = sum(_inside(district, [(c.lon, c.lat) for c in cameras if c.lon is not None
                                          and c.lat is not None]))
    recent = [i for i in incident_queries.changed_since(session, now - RECENT, limit=RECENT_LIMIT)
              if i.lon is not None and i.lat is not None and i.received_at >= now - RECENT]
    flags = _inside(district, [(i.lon, i.lat) for i in recent if i.lon is not None and i.lat is not None])
    incidents: list[dict[str, Any]] = [
        {"id": i.id, "number": i.number, "category": i.category, "priority": i.priority, "state": i.state,
         "address": i.address, "received_at": i.received_at.isoformat(), "lon": i.lon, "lat": i.lat}
        for i, ok in zip(recent, flags, strict=True) if ok]
    incidents.sort(key=lambda row: str(row["received_at"]), reverse=True)
    names = {s.code: s.name_ru for s in all_sites}
    return Passport(district=service.read_district(session, district, norm=norm, site_names=names),
                    social_objects=social, sites=[s.model_dump(mode="json", include={
                        "code", "kind", "subtype", "name_kk", "name_ru", "name_en", "lon", "lat"}) for s in inside],
                    cameras=camera_count, incidents=incidents)


def proposal(session: Session, *, inspectors: int, norm: int, workload_share: float = 0.0,
             workload_days: int = 90) -> Proposal:
    """Boundaries for ``inspectors`` districts over today's area balancing residents, mixed with workload by
    ``workload_share``, beside today's balance figures for both."""
    model = city_service.active_model(session)
    frame = service.frame_of(model)
    today = service.in_force(session, model_id=model.id)
    if today is None:  # the area to divide is today's: a whole rural district is not one town's beat
        raise NotFound("districts.none_in_force")
    area = frame.to_m(today.area)
    cells = service.cells_of(session, model, frame)
    points = workload.incidents(session, frame, days=workload_days)
    regions = propose(frame, area, cells, inspectors, workload=Workload(x=points.x, y=points.y, share=workload_share))
    districts = [ProposedDistrict(number=k, geometry=frame.to_lonlat(r.polygon), residents=round(r.residents, 1),
                                  incidents=r.incidents) for k, r in enumerate(regions, 1)]
    current = service.balance([d.residents for d in today.districts],
                              [len(d.inspectors) for d in today.districts], norm=norm)
    current_workload = workload.balance([points.count_in(frame.to_m(d.geometry)) for d in today.districts],
                                        days=workload_days, share=workload_share)
    collection = {"type": "FeatureCollection", "area": frame.to_lonlat(area), "features": [
        {"type": "Feature", "geometry": d.geometry, "properties": {"number": d.number}} for d in districts]}
    return Proposal(districts=districts, geojson=collection, current=current,
                    balance=service.balance([d.residents for d in districts], [1] * len(districts), norm=norm),
                    workload=workload.balance([d.incidents for d in districts], days=workload_days,
                                              share=workload_share),
                    current_workload=current_workload)
