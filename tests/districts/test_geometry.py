"""District geometry without a database: cells split by area, validation problems, proposals."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry.base import BaseGeometry

from qorgau.city.geometry import LocalProjection
from qorgau.core.errors import QorgauError, ValidationFailed
from qorgau.districts.geojson import parse
from qorgau.districts.geometry import Cells, Frame, read_area, validate
from qorgau.districts.proposal import propose

FRAME = Frame(LocalProjection(53.0, 51.0), 100.0)


def _cells(rows: Sequence[tuple[float, float, int]]) -> Cells:
    """Cells given by centre in metres."""
    lonlat = [(*FRAME.point_lonlat(x, y), n) for x, y, n in rows]
    return Cells.of(FRAME, lonlat)


def _geo(geom: BaseGeometry) -> dict[str, object]:
    return FRAME.to_lonlat(geom)


def test_a_boundary_crossing_a_cell_splits_its_residents_by_area() -> None:
    cells = _cells([(50, 50, 100), (150, 50, 40)])
    # A boundary at x = 30 m: 30 % of the first cell on the left, the rest and the whole second cell on the right.
    left, right = shapely.box(-100, -100, 30, 200), shapely.box(30, -100, 300, 200)
    assert cells.residents_in(left) == pytest.approx(30.0, abs=0.05)
    assert cells.residents_in(right) == pytest.approx(110.0, abs=0.05)
    assert cells.residents_in(left) + cells.residents_in(right) == pytest.approx(140.0, abs=1e-6)
    assert cells.residents_in(shapely.box(1000, 1000, 1100, 1100)) == 0.0


def test_validation_names_every_problem() -> None:
    area = shapely.box(0, 0, 1000, 1000)
    bowtie = {"type": "Polygon", "coordinates": [[list(FRAME.point_lonlat(x, y)) for x, y in
                                                  ((0, 0), (500, 500), (500, 0), (0, 500), (0, 0))]]}
    with pytest.raises(ValidationFailed) as bad:
        validate(FRAME, area, [(1, bowtie), (2, _geo(shapely.box(0, 500, 1000, 1000))),
                               (2, {"type": "Point", "coordinates": [53.0, 51.0]})])
    codes = {(e["code"], e["district"]) for e in bad.value.errors}
    assert ("districts.problem.self_intersecting", "1") in codes
    assert ("districts.problem.duplicate_number", "2") in codes
    assert ("districts.problem.not_polygon", "2") in codes

    with pytest.raises(ValidationFailed) as bad:
        validate(FRAME, area, [(1, _geo(shapely.box(0, 0, 600, 1000))), (2, _geo(shapely.box(500, 0, 900, 1000))),
                               (3, _geo(shapely.box(900, 0, 1000, 1200)))])
    found = {e["code"]: e for e in bad.value.errors}
    assert found["districts.problem.overlap"]["district"] == "1" and found["districts.problem.overlap"]["other"] == "2"
    assert int(found["districts.problem.overlap"]["area_m2"]) == pytest.approx(100 * 1000, rel=0.01)
    assert int(found["districts.problem.outside_area"]["area_m2"]) == pytest.approx(100 * 200, rel=0.01)
    assert "districts.problem.gap" not in found

    with pytest.raises(ValidationFailed) as bad:
        validate(FRAME, area, [(1, _geo(shapely.box(0, 0, 400, 1000))), (2, _geo(shapely.box(500, 0, 1000, 1000)))])
    (gap,) = bad.value.errors
    assert gap["code"] == "districts.problem.gap" and int(gap["area_m2"]) == pytest.approx(100 * 1000, rel=0.01)

    shapes = validate(FRAME, area, [(1, _geo(shapely.box(0, 0, 500, 1000))), (2, _geo(shapely.box(500, 0, 1000,
                                                                                                    1000)))])
    assert [s.area for s in shapes] == pytest.approx([500_000, 500_000], abs=10)  # 7-decimal rounding


def test_a_proposal_is_contiguous_balanced_and_covers_the_area() -> None:
    # Two dense blocks and a sparse field: the proposal must not leave the sparse field as a hole.
    rows = [(x * 100 + 50, y * 100 + 50, 50 if x < 10 and y < 10 else 5) for x in range(20) for y in range(15)]
    cells = _cells(rows)
    area = shapely.box(0, 0, 2000, 1500)
    regions = propose(FRAME, area, cells, 5)
    assert len(regions) == 5
    assert all(r.polygon.geom_type == "Polygon" for r in regions)  # each district is one piece
    assert sum(r.residents for r in regions) == pytest.approx(sum(n for *_, n in rows), abs=0.05)
    assert shapely.union_all([r.polygon for r in regions]).symmetric_difference(area).area < 1
    residents = [r.residents for r in regions]
    assert max(residents) - min(residents) <= 0.1 * (sum(residents) / 5)  # within 10 % of the mean
    assert propose(FRAME, area, cells, 5)[0].cells == regions[0].cells  # deterministic


@settings(max_examples=40, deadline=None)
@given(cut=st.floats(min_value=-150, max_value=450), tilt=st.floats(min_value=-0.5, max_value=0.5))
def test_any_boundary_splits_residents_without_losing_or_making_any(cut: float, tilt: float) -> None:
    cells = _cells([(x * 100 + 50, y * 100 + 50, 7 * x + y + 1) for x in range(3) for y in range(3)])
    # A slanted cut through the 3 × 3 block: the two sides always add up to every resident.
    left = shapely.Polygon([(-600, -600), (cut - tilt * 700, -600), (cut + tilt * 700, 900), (-600, 900)])
    right = shapely.box(-600, -600, 1000, 900).difference(left)
    assert left.is_valid and right.is_valid
    total = cells.residents_in(left) + cells.residents_in(right)
    assert total == pytest.approx(sum(7 * x + y + 1 for x in range(3) for y in range(3)), abs=1e-3)


def test_a_region_sized_area_is_refused() -> None:
    with pytest.raises(QorgauError) as refused:
        propose(FRAME, shapely.box(0, 0, 60_000, 60_000), _cells([(50, 50, 1)]), 3)
    assert refused.value.code == "districts.area_too_large"


def test_malformed_geometry_and_area_are_problems_not_crashes() -> None:
    with pytest.raises(ValidationFailed) as bad:
        validate(FRAME, None, [(1, {"type": "Polygon"}), (2, {"type": "Polygon", "coordinates": [[[53.0]]]})])
    assert [e["code"] for e in bad.value.errors] == ["districts.problem.unreadable"] * 2
    bowtie = {"type": "Polygon", "coordinates": [[[53.0, 51.0], [53.01, 51.01], [53.01, 51.0], [53.0, 51.01],
                                                   [53.0, 51.0]]]}
    for area in (bowtie, {"type": "Polygon", "coordinates": "nonsense"}):
        with pytest.raises(ValidationFailed) as bad:
            read_area(FRAME, area)
        assert [e["code"] for e in bad.value.errors] == ["districts.problem.bad_area"]


def test_a_malformed_collection_lists_each_bad_feature() -> None:
    features = [{"type": "Feature", "geometry": {}, "properties": [1]}, None,
                {"type": "Feature", "geometry": {}, "properties": {"number": 2**70}},
                {"type": "Feature", "geometry": {}, "properties": {"reception": [1]}},
                {"type": "Feature", "geometry": {}, "properties": {"inspectors": "uip01"}}]
    with pytest.raises(ValidationFailed) as bad:
        parse({"type": "FeatureCollection", "features": features, "area": 5}, default_reception={})
    assert [e["code"].rsplit(".", 1)[1] for e in bad.value.errors] == [
        "not_feature", "not_feature", "bad_number", "bad_reception", "bad_inspectors", "bad_area"]
