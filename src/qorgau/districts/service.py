"""Police districts: the set in force at a time, accepting a new dated version, figures. Functions never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from qorgau.audit import service as audit
from qorgau.auth import people as auth_people
from qorgau.auth import service as auth_service
from qorgau.city import queries as city_queries
from qorgau.city import service as city_service
from qorgau.city.geometry import LocalProjection, centroid, contains_point
from qorgau.city.models import CityModel
from qorgau.core.bus import Context, publish
from qorgau.core.errors import NotFound, ValidationFailed
from qorgau.core.time import utcnow
from qorgau.districts import geojson, workload
from qorgau.districts.enums import DistrictAction, SetSource
from qorgau.districts.events import SET_ACCEPTED, DistrictSetAccepted
from qorgau.districts.geometry import UNREADABLE, Cells, Frame, problem, read_area, validate
from qorgau.districts.models import District, DistrictInspector, DistrictSet
from qorgau.districts.schemas import (
    Balance,
    DistrictRead,
    DraftCheck,
    DraftDistrict,
    Inspector,
    Reception,
    SetDetail,
    SetRead,
)

CELL_M = 100.0
INSPECTOR_ROLE = "inspector"


def frame_of(model: CityModel) -> Frame:
    """The local metres of the model's population grid (its origin when the model names one)."""
    origin = model.attrs.get("grid_origin")
    lon0, lat0 = (float(origin[0]), float(origin[1])) if origin else centroid(model.boundary)
    return Frame(LocalProjection(lon0, lat0), float(model.attrs.get("cell_size_m", CELL_M)))


def cells_of(session: Session, model: CityModel, frame: Frame) -> Cells:
    """The model's population cells, memoised for the transaction (figures read them for every district)."""
    memo: dict[int, Cells] = session.info.setdefault("districts.cells", {})
    if model.id not in memo:
        memo[model.id] = Cells.of(frame, city_queries.residents(session, model.id))
    return memo[model.id]


def in_force(session: Session, *, model_id: int, when: datetime | None = None) -> DistrictSet | None:
    """The version in force at ``when`` (now by default): the latest that took effect by then."""
    query = (select(DistrictSet).where(DistrictSet.model_id == model_id, DistrictSet.valid_from <= (when or utcnow()))
             .order_by(DistrictSet.valid_from.desc(), DistrictSet.version.desc()).limit(1))
    return session.scalars(query).one_or_none()


def current(session: Session, when: datetime | None = None) -> DistrictSet | None:
    """The active model's set in force at ``when``; None before any set is accepted."""
    return in_force(session, model_id=city_service.active_model(session).id, when=when)


def get_set(session: Session, set_id: int) -> DistrictSet:
    found = session.get(DistrictSet, set_id)
    if found is None:
        raise NotFound("districts.set_not_found", params={"id": set_id})
    return found


def get_district(session: Session, district_id: int) -> District:
    found = session.get(District, district_id)
    if found is None:
        raise NotFound("districts.not_found", params={"id": district_id})
    return found


def versions(session: Session, *, model_id: int) -> list[SetRead]:
    """Every version of the model's set, the latest first, each with when the next one took over."""
    rows = list(session.scalars(select(DistrictSet).where(DistrictSet.model_id == model_id)
                                .order_by(DistrictSet.valid_from, DistrictSet.version)))
    reads = [SetRead.model_validate(s).model_copy(update={"valid_to": nxt.valid_from if nxt else None})
             for s, nxt in zip(rows, [*rows[1:], None], strict=True)]
    return reads[::-1]


def district_at(session: Session, lon: float, lat: float, when: datetime | None = None) -> District | None:
    """The district of the set in force at ``when`` that a position falls into; None outside every district."""
    found = current(session, when)
    if found is None:
        return None
    candidates = session.scalars(select(District).where(
        District.set_id == found.id, District.min_lon <= lon, District.max_lon >= lon, District.min_lat <= lat,
        District.max_lat >= lat).order_by(District.number))
    return next((d for d in candidates if contains_point(d.geometry, lon, lat)), None)


def _inspectors(district: District) -> list[int]:
    return [i.user_id for i in district.inspectors]


def read_district(session: Session, district: District, *, norm: int,
                  site_names: dict[str, str] | None = None) -> DistrictRead:
    """A district with its inspectors' names and its flag against the norm."""
    people = auth_people.people(session, _inspectors(district))
    inspectors = [Inspector(user_id=uid, name=people[uid].name if uid in people else str(uid),
                            username=_username(session, uid)) for uid in _inspectors(district)]
    per = district.residents / len(inspectors) if inspectors else None
    return DistrictRead(
        id=district.id, number=district.number, name_kk=district.name_kk, name_ru=district.name_ru,
        name_en=district.name_en, geometry=district.geometry, residents=round(district.residents, 1),
        inspectors=inspectors, residents_per_inspector=None if per is None else round(per, 1),
        over_norm=per is None or per > norm, site_code=district.site_code,
        site_name=(site_names or {}).get(district.site_code or ""),
        reception=Reception.model_validate(district.reception), contacts=district.contacts)


def _username(session: Session, user_id: int) -> str:
    return auth_service.get(session, user_id).username


def balance(residents: Sequence[float], inspectors: Sequence[int], *, norm: int) -> Balance:
    """Min/max/mean/std of residents per district and how many exceed the norm per inspector."""
    arr = np.asarray(residents, dtype=float) if residents else np.zeros(1)
    over = sum(1 for r, n in zip(residents, inspectors, strict=True) if n == 0 or r / n > norm)
    return Balance(districts=len(residents), inspectors=int(sum(inspectors)), residents=round(float(arr.sum()), 1),
                   min=round(float(arr.min()), 1), max=round(float(arr.max()), 1), mean=round(float(arr.mean()), 1),
                   std=round(float(arr.std()), 1), over_norm=over, norm=norm)


def detail(session: Session, district_set: DistrictSet, *, norm: int, site_names: dict[str, str]) -> SetDetail:
    """A version with its districts and its balance figures."""
    districts = [read_district(session, d, norm=norm, site_names=site_names) for d in district_set.districts]
    nxt = session.scalar(select(func.min(DistrictSet.valid_from)).where(
        DistrictSet.model_id == district_set.model_id, DistrictSet.valid_from > district_set.valid_from))
    return SetDetail(**{**SetRead.model_validate(district_set).model_dump(), "valid_to": nxt},
                     area=district_set.area, districts=districts,
                     balance=balance([d.residents for d in districts], [len(d.inspectors) for d in districts],
                                     norm=norm))


def _area_of(session: Session, model: CityModel, frame: Frame, parsed: geojson.Parsed,
             before: DistrictSet | None) -> BaseGeometry:
    """The territory the set must cover: given with the file, else the current set's, else the districts'."""
    if parsed.area is not None:
        return read_area(frame, parsed.area)
    if before is not None:
        return frame.to_m(before.area)
    return shapely.union_all(validate(frame, None, [(f.number, f.geometry) for f in parsed.features]))


def _inherit(parsed: geojson.Parsed, shapes: list[BaseGeometry], frame: Frame, before: DistrictSet | None) -> None:
    """A proposal names no inspectors: each old district's inspectors, post and hours go to the new district
    that takes most of its area."""
    if before is None or any(f.inspectors or f.site_code for f in parsed.features):
        return
    for old in before.districts:
        old_shape = frame.to_m(old.geometry)
        best = max(range(len(shapes)), key=lambda i: shapes[i].intersection(old_shape).area)
        target = parsed.features[best]
        target.user_ids.extend(u for u in _inspectors(old) if u not in target.user_ids)
        if target.site_code is None:
            target.site_code, target.contacts = old.site_code, old.contacts
            target.reception = dict(old.reception)


def _resolve_inspectors(session: Session, parsed: geojson.Parsed) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = []
    for feature in parsed.features:
        for username in feature.inspectors:
            user = auth_service.get_by_username(session, username)
            if user is None or user.role != INSPECTOR_ROLE:
                problems.append(problem("not_inspector", feature.number, username=username))
            elif user.id not in feature.user_ids:
                feature.user_ids.append(user.id)
    return problems


def accept(session: Session, *, collection: dict[str, Any], source: SetSource, actor: audit.Actor, ctx: Context,
           valid_from: datetime | None = None, note: str | None = None, generated: bool = False,
           default_reception: dict[str, Any]) -> DistrictSet:
    """Validate a FeatureCollection of districts and store it as the next dated version; all or nothing."""
    model = city_service.active_model(session)
    frame = frame_of(model)
    parsed = geojson.parse(collection, default_reception=default_reception)
    before = in_force(session, model_id=model.id)
    area = _area_of(session, model, frame, parsed, before)
    shapes = validate(frame, area, [(f.number, f.geometry) for f in parsed.features])
    problems = _resolve_inspectors(session, parsed)
    when = valid_from or utcnow()
    latest = session.scalar(select(func.max(DistrictSet.valid_from)).where(DistrictSet.model_id == model.id))
    if latest is not None and when < latest:
        problems.append(problem("valid_from_before_latest", None, latest=latest.isoformat()))
    if problems:
        raise ValidationFailed("districts.invalid", errors=problems, params={"count": len(problems)})
    if source == SetSource.PROPOSAL:
        _inherit(parsed, shapes, frame, before)
    version = (session.scalar(select(func.max(DistrictSet.version)).where(DistrictSet.model_id == model.id)) or 0) + 1
    cells = cells_of(session, model, frame)
    new_set = DistrictSet(model_id=model.id, version=version, valid_from=when, source=str(source),
                          generated=generated, area=frame.to_lonlat(area), note=note, created_by=actor.ref,
                          created_at=utcnow())
    for feature, shape in zip(parsed.features, shapes, strict=True):
        min_x, min_y, max_x, max_y = shape.bounds
        (min_lon, min_lat), (max_lon, max_lat) = frame.point_lonlat(min_x, min_y), frame.point_lonlat(max_x, max_y)
        district = District(number=feature.number, name_kk=feature.name_kk, name_ru=feature.name_ru,
                            name_en=feature.name_en, geometry=frame.to_lonlat(shape), min_lon=min_lon - 1e-6,
                            min_lat=min_lat - 1e-6, max_lon=max_lon + 1e-6, max_lat=max_lat + 1e-6,
                            residents=cells.residents_in(shape), site_code=feature.site_code,
                            reception=feature.reception, contacts=feature.contacts)
        district.inspectors = [DistrictInspector(user_id=u) for u in feature.user_ids]
        new_set.districts.append(district)
    session.add(new_set)
    session.flush()
    audit.record(session, action=DistrictAction.SET_ACCEPT, actor=actor, target_type="district_set",
                 target_id=str(new_set.id), details={"version": version, "source": str(source),
                                                     "districts": len(parsed.features),
                                                     "valid_from": when.isoformat()})
    publish(session, SET_ACCEPTED, subject_id=str(new_set.id), ctx=ctx, payload=DistrictSetAccepted(
        set_id=new_set.id, version=version, valid_from=when, source=source, districts=len(parsed.features)))
    return new_set


def check(session: Session, *, collection: dict[str, Any], norm: int, default_reception: dict[str, Any],
          workload_days: int) -> DraftCheck:
    """A draft set validated as accept would (overlaps, gaps, self-intersections, unknown inspectors) with the
    residents and incidents each district would have; nothing is stored. The desk calls it while editing."""
    model = city_service.active_model(session)
    frame = frame_of(model)
    try:
        parsed = geojson.parse(collection, default_reception=default_reception)
        area = _area_of(session, model, frame, parsed, in_force(session, model_id=model.id))
    except ValidationFailed as exc:
        return DraftCheck(valid=False, problems=exc.errors, districts=[], balance=None, workload=None)
    problems = _resolve_inspectors(session, parsed)
    try:
        shapes = validate(frame, area, [(f.number, f.geometry) for f in parsed.features])
    except ValidationFailed as exc:
        problems.extend(exc.errors)
        shapes = [_readable(frame, f.geometry) for f in parsed.features]
    cells = cells_of(session, model, frame)
    points = workload.incidents(session, frame, days=workload_days)
    drafts = []
    for feature, shape in zip(parsed.features, shapes, strict=True):
        residents = cells.residents_in(shape) if shape.is_valid and not shape.is_empty else 0.0
        per = residents / len(feature.user_ids) if feature.user_ids else None
        drafts.append(DraftDistrict(number=feature.number, residents=round(residents, 1),
                                    incidents=points.count_in(shape) if shape.is_valid else 0,
                                    inspectors=len(feature.user_ids),
                                    residents_per_inspector=None if per is None else round(per, 1),
                                    over_norm=per is None or per > norm))
    return DraftCheck(valid=not problems, problems=problems, districts=drafts,
                      balance=balance([d.residents for d in drafts], [d.inspectors for d in drafts], norm=norm),
                      workload=workload.balance([d.incidents for d in drafts], days=workload_days, share=0.0))


def _readable(frame: Frame, geometry: dict[str, Any]) -> BaseGeometry:
    """A draft polygon in metres for its figures, empty when it cannot be read at all."""
    try:
        return frame.to_m(geometry)
    except UNREADABLE:
        return shapely.Polygon()


def load(session: Session, set_id: int) -> DistrictSet:
    """A version with its districts and inspectors loaded."""
    found = session.scalars(select(DistrictSet).where(DistrictSet.id == set_id).options(
        selectinload(DistrictSet.districts).selectinload(District.inspectors))).one_or_none()
    if found is None:
        raise NotFound("districts.set_not_found", params={"id": set_id})
    return found


def export(session: Session, district_set: DistrictSet) -> dict[str, Any]:
    """The version as GeoJSON, inspectors by username, the area as a foreign member."""
    usernames = {uid: _username(session, uid) for d in district_set.districts for uid in _inspectors(d)}
    return geojson.dump(district_set, usernames)
