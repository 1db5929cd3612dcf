"""HTTP routes of coverage: figures, isochrones (GeoJSON) and the placement of new posts."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.web import AppRuntime, ReadSession
from qorgau.coverage import reach, service, siting
from qorgau.coverage.config import CoverageSettings
from qorgau.coverage.schemas import (
    ChosenSiteRead,
    ClusterRead,
    CoverageRead,
    DistrictShareRead,
    LevelRead,
    PlacementRead,
    PlacementRequest,
    PolicePointRead,
    SettlementShare,
    ShareRead,
)

router = APIRouter(prefix="/api/coverage", tags=["coverage"])
# Supervisors and analysts read the district's figures; coverage is one of them.
Reader = Annotated[Principal, Require(Permission.STATS_READ)]


def _share(share: reach.Share) -> ShareRead:
    return ShareRead(residents=round(share.residents), covered=round(share.covered), share=round(share.share, 5))


def _level(db: Session, level: service.Level) -> LevelRead:
    return LevelRead(mode=level.mode, minutes=level.minutes, overall=_share(level.overall),
                     settlements=[SettlementShare(settlement=name, **_share(s).model_dump())
                                  for name, s in level.settlements],
                     districts=[DistrictShareRead(number=d.number, name_kk=d.name_kk, name_ru=d.name_ru,
                                                  name_en=d.name_en, **_share(d.share).model_dump())
                                for d in service.district_shares(db, level)])


@router.get("", response_model=CoverageRead)
def coverage(_: Reader, db: ReadSession, runtime: AppRuntime) -> CoverageRead:
    """Residents within 5, 10, 15 minutes on foot and 7 minutes by car of a police point; uncovered clusters."""
    found = service.coverage(db, settings=runtime.settings.part(CoverageSettings))
    demand = service.model_inputs(db)[2]
    return CoverageRead(
        model_id=found.model_id, generated=found.generated, walk_speed_kmh=found.walk_speed_kmh,
        points=[PolicePointRead.model_validate(p, from_attributes=True) for p in found.points],
        levels=[_level(db, level) for level in [*found.walk, found.drive]],
        uncovered=[ClusterRead(residents=round(c.residents), cells=len(c.cells), lon=round(c.lon, 6),
                               lat=round(c.lat, 6), settlement=c.settlement,
                               geometry=service.cluster_geometry(demand, c)) for c in found.uncovered],
        seconds=round(found.seconds, 4))


@router.get("/isochrones", responses={200: {"content": {"application/geo+json": {}},
                                             "description": "GeoJSON FeatureCollection, one feature per threshold"}})
def isochrones(_: Reader, db: ReadSession, runtime: AppRuntime) -> Response:
    """Isochrones as GeoJSON MultiPolygons: walking thresholds, then the drive-time one."""
    found = service.coverage(db, settings=runtime.settings.part(CoverageSettings))
    features = [{"type": "Feature", "geometry": level.geometry,
                 "properties": {"mode": str(level.mode), "minutes": level.minutes,
                                "share": round(level.overall.share, 5)}}
                for level in [*found.walk, found.drive]]
    body = {"type": "FeatureCollection", "features": features, "generated": found.generated}
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/geo+json")


@router.post("/placement", response_model=PlacementRead)
def placement(body: PlacementRequest, _: Reader, db: ReadSession, runtime: AppRuntime) -> PlacementRead:
    """Where new posts should stand: maximal or set covering, solved exactly (HiGHS) within the time limit."""
    found = siting.place(db, settings=runtime.settings.part(CoverageSettings), mode=body.mode,
                         minutes=body.minutes, travel=body.travel, posts=body.posts,
                         candidates=body.candidates, skip_unreachable=body.skip_unreachable)
    solution = found.solution
    return PlacementRead(
        mode=found.mode, travel=found.travel, minutes=found.minutes,
        chosen=[ChosenSiteRead(lon=lon, lat=lat) for lon, lat in found.chosen], before=_share(found.before),
        after=_share(found.after), objective=round(solution.objective, 3), bound=round(solution.bound, 3),
        gap=round(solution.gap, 6), optimal=solution.optimal, seconds=round(solution.seconds, 4),
        candidates=found.candidates, demand_points=found.demand_points,
        skipped_residents=round(found.skipped_residents))
