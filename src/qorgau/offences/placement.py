"""Where a record lies: inside the district's area or not, its settlement and its police district."""

# Built once per import or generation and then asked per record without queries: 10,000 rows would otherwise
# cost 10,000 polygon look-ups through the database. The settlement is that of the nearest populated 100 m cell
# of the city model (settlements are points in the model); the police district is the one of the set in force
# at the time of commission, or the earliest set for records older than every set (history before the districts
# were drawn is still shown by district).

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.city import service as city_service
from qorgau.city.models import CityModel, CityPlace, PopulationCell
from qorgau.districts.models import District, DistrictSet

NEAREST_CELL_MAX_DEG = 0.05  # about 4 km: farther from any resident, the record has no settlement


@dataclass(frozen=True)
class _Set:
    valid_from: datetime
    ids: list[int]
    shapes: list[BaseGeometry]


class Placement:
    """The active city model's boundary, populated cells and district sets, for point look-ups."""

    def __init__(self, session: Session, model: CityModel | None = None) -> None:
        self.model = model or city_service.active_model(session)
        self.area = shape(self.model.boundary)
        shapely.prepare(self.area)
        cells = session.execute(select(PopulationCell.lon, PopulationCell.lat, CityPlace.name)
                                .join(CityPlace, CityPlace.id == PopulationCell.settlement_id)
                                .where(PopulationCell.model_id == self.model.id, PopulationCell.residents > 0)).all()
        self.cell_xy = np.array([(c.lon, c.lat) for c in cells], dtype=float).reshape(-1, 2)
        self.cell_settlement = [c.name for c in cells]
        self.sets: list[_Set] = []
        for district_set in session.scalars(select(DistrictSet).where(DistrictSet.model_id == self.model.id)
                                            .order_by(DistrictSet.valid_from, DistrictSet.version)):
            districts = session.scalars(select(District).where(District.set_id == district_set.id)
                                        .order_by(District.number)).all()
            shapes = [shape(d.geometry) for d in districts]
            for s in shapes:
                shapely.prepare(s)
            self.sets.append(_Set(district_set.valid_from, [d.id for d in districts], shapes))

    def inside(self, lon: float, lat: float) -> bool:
        return bool(self.area.contains(shapely.Point(lon, lat)))

    def settlement(self, lon: float, lat: float) -> str | None:
        if not len(self.cell_xy):
            return None
        d2 = ((self.cell_xy - (lon, lat)) ** 2).sum(axis=1)
        nearest = int(d2.argmin())
        return self.cell_settlement[nearest] if d2[nearest] <= NEAREST_CELL_MAX_DEG ** 2 else None

    def district(self, lon: float, lat: float, when: datetime | None) -> int | None:
        if not self.sets:
            return None
        chosen = self.sets[0]
        for candidate in self.sets:
            if when is not None and candidate.valid_from <= when:
                chosen = candidate
        point = shapely.Point(lon, lat)
        return next((i for i, s in zip(chosen.ids, chosen.shapes, strict=True) if s.contains(point)), None)
