"""HTTP routes of police districts: the set in force, versions, passports, proposals, accept, import, export."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.city import service as city_service
from qorgau.core.errors import NotFound
from qorgau.core.time import as_utc
from qorgau.core.web import MAX_ROW_ID, AppRuntime, ClientSource, DbSession, IdPath, ReadSession
from qorgau.districts import draft, figures, service
from qorgau.districts.config import DistrictsSettings, default_reception
from qorgau.districts.enums import SetSource
from qorgau.districts.models import DistrictSet
from qorgau.districts.schemas import (
    AcceptIn,
    CheckIn,
    DistrictAt,
    DistrictMergeIn,
    DraftCheck,
    Passport,
    Proposal,
    ProposalIn,
    SetDetail,
    SetRead,
)

router = APIRouter(prefix="/api/districts", tags=["districts"])
Reader = Annotated[Principal, Require(Permission.DISTRICTS_READ)]
Writer = Annotated[Principal, Require(Permission.DISTRICTS_WRITE)]
At = Annotated[datetime | None, Query(description="The moment whose set is wanted (aware); now when absent.")]
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "The districts are invalid: every problem is listed in `errors`."}}


def _settings(runtime: AppRuntime) -> DistrictsSettings:
    return runtime.settings.part(DistrictsSettings)


def _in_force(db: ReadSession, at: datetime | None) -> DistrictSet:
    found = service.current(db, as_utc(at) if at else None)
    if found is None:
        raise NotFound("districts.none_in_force")
    return found


@router.get("", response_model=SetDetail, responses={404: {"description": "No district set in force"}})
def current_set(_: Reader, db: ReadSession, runtime: AppRuntime, at: At = None) -> SetDetail:
    """The districts in force now (or at ``at``), with residents, inspectors, flags and balance figures."""
    found = _in_force(db, at)
    return service.detail(db, found, norm=_settings(runtime).district_residents_norm,
                          site_names=figures.site_names(db))


@router.get("/versions", response_model=list[SetRead])
def list_versions(_: Reader, db: ReadSession) -> list[SetRead]:
    """Every dated version of the active model's districts, the latest first."""
    return service.versions(db, model_id=city_service.active_model(db).id)


@router.get("/versions/{set_id}", response_model=SetDetail)
def get_version(set_id: IdPath, _: Reader, db: ReadSession, runtime: AppRuntime) -> SetDetail:
    return service.detail(db, service.get_set(db, set_id), norm=_settings(runtime).district_residents_norm,
                          site_names=figures.site_names(db))


@router.get("/at", response_model=DistrictAt | None)
def at_position(_: Reader, db: ReadSession, lon: Annotated[float, Query(ge=-180, le=180)],
                lat: Annotated[float, Query(ge=-90, le=90)], at: At = None) -> DistrictAt | None:
    """The district a position falls into under the set in force at ``at``; null outside every district."""
    found = service.district_at(db, lon, lat, as_utc(at) if at else None)
    if found is None:
        return None
    return DistrictAt(set_id=found.set_id, version=found.district_set.version, district_id=found.id,
                      number=found.number, name_kk=found.name_kk, name_ru=found.name_ru, name_en=found.name_en)


@router.get("/mine", response_model=list[Passport])
def my_districts(principal: Reader, db: ReadSession, runtime: AppRuntime) -> list[Passport]:
    """The inspector's own districts in the set in force, each with its passport."""
    found = service.current(db)
    if found is None:
        return []
    norm = _settings(runtime).district_residents_norm
    return [figures.passport(db, d, norm=norm) for d in found.districts
            if principal.user_id in {i.user_id for i in d.inspectors}]


@router.get("/{district_id}/passport", response_model=Passport)
def district_passport(district_id: IdPath, _: Reader, db: ReadSession, runtime: AppRuntime) -> Passport:
    """Residents, inspectors, social objects, cameras, МОП and recent incidents of one district."""
    return figures.passport(db, service.get_district(db, district_id),
                            norm=_settings(runtime).district_residents_norm)


@router.post("/propose", response_model=Proposal, responses=INVALID)
def propose(body: ProposalIn, _: Writer, db: ReadSession, runtime: AppRuntime) -> Proposal:
    """Boundaries for N inspectors balancing residents (mixed with workload), contiguous and compact, beside
    today's figures."""
    settings = _settings(runtime)
    share = settings.district_workload_share if body.workload_share is None else body.workload_share
    return figures.proposal(db, inspectors=body.inspectors, norm=settings.district_residents_norm,
                            workload_share=share, workload_days=body.workload_days or settings.district_workload_days)


@router.post("/check", response_model=DraftCheck)
def check(body: CheckIn, _: Writer, db: ReadSession, runtime: AppRuntime) -> DraftCheck:
    """Validate a draft set as /accept would and return each district's residents and incidents; saves nothing."""
    settings = _settings(runtime)
    return service.check(db, collection=body.geojson, norm=settings.district_residents_norm,
                         default_reception=default_reception(settings), workload_days=settings.district_workload_days)


@router.post("/merge", response_class=JSONResponse, responses=INVALID)
def merge(body: DistrictMergeIn, _: Writer) -> JSONResponse:
    """A draft with two neighbouring districts joined (the second into the first); saves nothing."""
    return JSONResponse(draft.merge(body.geojson, keep=body.keep, absorb=body.absorb),
                        media_type="application/geo+json")


def _accepted(db: DbSession, runtime: AppRuntime, principal: Principal, source: str, *, collection: dict[str, Any],
              origin: SetSource, valid_from: datetime | None, note: str | None) -> SetDetail:
    settings = _settings(runtime)
    new_set = service.accept(db, collection=collection, source=origin, actor=principal.actor(source),
                             ctx=principal.context(),
                             valid_from=as_utc(valid_from) if valid_from else None, note=note,
                             default_reception=default_reception(settings))
    return service.detail(db, new_set, norm=settings.district_residents_norm, site_names=figures.site_names(db))


@router.post("/accept", response_model=SetDetail, status_code=201, responses=INVALID)
def accept(body: AcceptIn, principal: Writer, db: DbSession, runtime: AppRuntime, source: ClientSource) -> SetDetail:
    """Store the districts (a proposal or an edit) as the next dated version; history is kept; audited."""
    return _accepted(db, runtime, principal, source, collection=body.geojson, origin=body.source,
                     valid_from=body.valid_from, note=body.note)


@router.post("/import", response_model=SetDetail, status_code=201, responses=INVALID)
def import_geojson(principal: Writer, db: DbSession, runtime: AppRuntime, source: ClientSource,
                   collection: Annotated[dict[str, Any], Body(description="A GeoJSON FeatureCollection.")],
                   valid_from: At = None) -> SetDetail:
    """A GeoJSON FeatureCollection of districts as the next version (as `qorgau districts import`)."""
    return _accepted(db, runtime, principal, source, collection=collection, origin=SetSource.IMPORT,
                     valid_from=valid_from, note=None)


@router.get("/export", response_class=JSONResponse)
def export(_: Reader, db: ReadSession, set_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
           at: At = None) -> JSONResponse:
    """A version (the one in force by default) as GeoJSON that /import reads back."""
    found = service.load(db, set_id) if set_id else _in_force(db, at)
    return JSONResponse(service.export(db, found), media_type="application/geo+json",
                        headers={"Content-Disposition": f'attachment; filename="districts-v{found.version}.geojson"'})
