"""A simulated crew's route ends when its time is up, so the crew reports on scene when it arrives."""

from __future__ import annotations

import random

from qorgau.simulator.units import Path, metres


def _route(rng: random.Random) -> list[tuple[float, float]]:
    return [(51.17 + rng.random() * 0.02, 53.01 + rng.random() * 0.02) for _ in range(rng.randint(2, 12))]


def test_every_route_ends_at_its_last_point_when_its_time_is_up() -> None:
    # Before the fix, 6 routes in 10 never ended: the legs' rounded sum left the crew a hair short of the end.
    rng = random.Random(19)
    for _ in range(500):
        points = _route(rng)
        path = Path(points, seconds=120.0, started=1000.0)
        where, _, done = path.position(1000.0 + 120.0)
        assert done and where == points[-1]
        midway, _, early = path.position(1000.0 + 60.0)
        assert not early and (metres(midway, points[-1]) > 0 or path.length == 0)


def test_a_route_is_followed_at_its_speed() -> None:
    start, end = (51.17, 53.01), (51.18, 53.01)
    path = Path([start, end], seconds=100.0, started=0.0)
    half, heading_deg, done = path.position(50.0)
    assert not done and abs(metres(start, half) - path.length / 2) < 0.5
    assert 89 < heading_deg < 91  # due east


def test_standing_still_lasts_its_time() -> None:
    """A post's or an inspector's stay is a route without length: it ends when its time is up, not at once."""
    here = (51.17, 53.01)
    path = Path([here, here], seconds=300.0, started=0.0)
    assert path.position(10.0) == (here, 0.0, False)
    assert path.position(300.0) == (here, 0.0, True)
