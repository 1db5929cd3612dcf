"""Point-in-polygon on the real district boundary, and distances and bearings."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.devices import geo
from tests.conftest import SHARED
from tests.devices.conftest import CENTRE, Finite

DISTRICT = SHARED / "data" / "aksai" / "burlinsky-district.geojson"
PLACES = SHARED / "data" / "aksai" / "burlinsky-places.geojson"
finite: Finite = {"allow_nan": False, "allow_infinity": False}


def test_every_settlement_of_the_district_is_inside_and_far_places_are_not() -> None:
    boundary = geo.boundary_from_file(DISTRICT)
    places = json.loads(PLACES.read_text(encoding="utf-8"))["features"]
    assert len(places) == 27
    assert all(boundary.contains(*f["geometry"]["coordinates"]) for f in places)
    assert not boundary.contains(51.37, 51.23)  # Uralsk, the regional capital
    assert not boundary.contains(53.0, 50.0) and not boundary.contains(CENTRE[0], -CENTRE[1])


@settings(max_examples=200, deadline=None)
@given(st.floats(-1, 3, **finite), st.floats(-1, 3, **finite))
def test_ray_casting_on_a_square_with_a_hole(x: float, y: float) -> None:
    outer = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
    hole = [(0.5, 0.5), (1.5, 0.5), (1.5, 1.5), (0.5, 1.5)]
    boundary = geo.Boundary([outer, hole], bands=7)
    if any(abs(v - edge) < 1e-9 for v in (x, y) for edge in (0.0, 0.5, 1.5, 2.0)):
        return
    inside_outer = 0 < x < 2 and 0 < y < 2
    inside_hole = 0.5 < x < 1.5 and 0.5 < y < 1.5
    assert boundary.contains(x, y) == (inside_outer and not inside_hole)


@settings(max_examples=200, deadline=None)
@given(st.floats(-3000, 3000, **finite), st.floats(-3000, 3000, **finite))
def test_offset_distance_and_bearing_agree(east: float, north: float) -> None:
    lon, lat = geo.offset(*CENTRE, east, north)
    assert math.isclose(geo.distance_m(*CENTRE, lon, lat), math.hypot(east, north), rel_tol=1e-3, abs_tol=1e-3)
    if math.hypot(east, north) > 1:
        expected = math.degrees(math.atan2(east, north)) % 360
        assert geo.angle_between(geo.bearing_deg(*CENTRE, lon, lat), expected) < 0.1


def test_angles_wrap_around_north() -> None:
    assert geo.angle_between(350, 10) == 20 and geo.angle_between(0, 180) == 180 and geo.angle_between(90, 90) == 0
