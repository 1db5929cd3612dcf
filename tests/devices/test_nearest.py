"""Which cameras see a point: field-of-view geometry, the grid index against a brute-force scan, rebuilds."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.core.db import Database
from qorgau.devices import geo, health, nearest, service
from qorgau.devices.nearest import Camera, CameraIndex, brute_force, sees
from qorgau.devices.schemas import DeviceCreate
from tests.conftest import CLI_ACTOR
from tests.devices.conftest import CENTRE, CTX, Finite, camera

finite: Finite = {"allow_nan": False, "allow_infinity": False}


def _camera(heading: float | None = 0.0, fov: float = 90.0, range_m: float = 50.0, code: str = "CAM-1",
            at: tuple[float, float] = CENTRE) -> Camera:
    return Camera(code, code, code, "public_space", at[0], at[1], heading, fov, range_m)


@settings(max_examples=300, deadline=None)
@given(heading=st.floats(0, 359.99, **finite), fov=st.floats(5, 350, **finite), range_m=st.floats(5, 2000, **finite),
       off=st.floats(-180, 180, **finite), fraction=st.floats(0.01, 1.5, **finite))
def test_a_point_is_seen_exactly_when_within_range_and_the_field_of_view(
        heading: float, fov: float, range_m: float, off: float, fraction: float) -> None:
    cam = _camera(heading, fov, range_m)
    bearing = (heading + off) % 360
    distance = range_m * fraction
    east, north = distance * math.sin(math.radians(bearing)), distance * math.cos(math.radians(bearing))
    lon, lat = geo.offset(*CENTRE, east, north)
    seen = sees(cam, lon, lat)
    margin_angle, margin_distance = 1e-6 * 360, range_m * 1e-6
    if abs(abs(off) - fov / 2) < margin_angle + 0.01 or abs(distance - range_m) < margin_distance + 0.01:
        return  # on the edge the answer depends on rounding
    assert (seen is not None) == (abs(off) < fov / 2 and distance < range_m)
    if seen is not None:
        assert math.isclose(seen.distance_m, distance, rel_tol=1e-3, abs_tol=1e-3)
        assert geo.angle_between(seen.bearing_deg, bearing) < 0.05
        assert 0.0 <= seen.score <= 1.0


def test_score_prefers_the_near_camera_and_the_one_looking_straight_at_the_point() -> None:
    lon, lat = geo.offset(*CENTRE, 0, 20)
    straight = _camera(0.0, code="A")
    askew = _camera(40.0, code="B")
    far = _camera(0.0, code="C", at=geo.offset(*CENTRE, 0, -25))
    ptz = _camera(None, code="D", at=geo.offset(*CENTRE, 0, 5))
    behind = _camera(180.0, code="E")
    ranked = brute_force([straight, askew, far, ptz, behind], lon, lat, 10)
    # A: 0.6 × (1 − 20/50) + 0.4 × 1 = 0.76; C: 0.6 × 0.1 + 0.4 = 0.46; B, 40° off a 45° half-view: 0.404
    assert [(s.camera.code, round(s.score, 3)) for s in ranked] == [("D", 0.82), ("A", 0.76), ("C", 0.46),
                                                                    ("B", 0.404)]


@st.composite
def scenes(draw: st.DrawFn) -> tuple[list[Camera], list[tuple[float, float]]]:
    cameras = []
    for n in range(draw(st.integers(0, 60))):
        at = geo.offset(*CENTRE, draw(st.floats(-800, 800, **finite)), draw(st.floats(-800, 800, **finite)))
        heading = draw(st.none() | st.floats(0, 359.9, **finite))
        cameras.append(_camera(heading, draw(st.floats(10, 360, **finite)), draw(st.floats(5, 1500, **finite)),
                               code=f"CAM-{n}", at=at))
    points = [geo.offset(*CENTRE, draw(st.floats(-900, 900, **finite)), draw(st.floats(-900, 900, **finite)))
              for _ in range(10)]
    return cameras, points


@settings(max_examples=60, deadline=None)
@given(scenes())
def test_the_grid_index_answers_exactly_like_a_brute_force_scan(scene: tuple[list[Camera], list[Any]]) -> None:
    cameras, points = scene
    index = CameraIndex(cameras)
    for lon, lat in points:
        assert [s.camera.code for s in index.query(lon, lat, 100)] == [
            s.camera.code for s in brute_force(cameras, lon, lat, 100)]

    # Asked to, it also offers the cameras standing near the point, after every camera that sees it.
    for lon, lat in points:
        found = index.query(lon, lat, 100, near_m=150.0)
        assert [s.camera.code for s in found] == [s.camera.code for s in brute_force(cameras, lon, lat, 100, 150.0)]
        assert [s.sees for s in found] == sorted((s.sees for s in found), reverse=True)
        assert all(s.sees or (s.distance_m <= 150.0 and s.score == 0) for s in found)


def _create(db: Database, body: dict[str, Any]) -> None:
    with db.unit_of_work() as session:
        service.create(session, device_in=DeviceCreate.model_validate(body), actor=CLI_ACTOR, ctx=CTX)


def test_the_index_follows_registry_changes(db: Database) -> None:
    target = geo.offset(*CENTRE, 0, 30)
    with db.reading() as session:
        assert nearest.query(db, session, *target) == []
    _create(db, camera("CAM-0001", heading_deg=0.0))  # public space: 90° and 60 m by default
    _create(db, camera("CAM-0002", east_m=5, heading_deg=180.0))  # looks away
    with db.reading() as session:
        assert [s.camera.code for s in nearest.query(db, session, *target)] == ["CAM-0001"]
        built, _ = nearest.for_database(db).get(session)
    with db.unit_of_work() as session:
        health.heartbeat(session, code="CAM-0002", ctx=CTX)  # health does not rebuild the index
    with db.reading() as session:
        assert nearest.for_database(db).get(session)[0] is built
    with db.unit_of_work() as session:
        service.decommission(session, code="CAM-0001", actor=CLI_ACTOR, ctx=CTX)
    with db.reading() as session:
        assert nearest.query(db, session, *target) == []
