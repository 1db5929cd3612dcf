"""The background plan: deterministic by seed, shaped by the hour, weekday and school, with false alarms cancelled."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

from qorgau.simulator.plan import AKSAI_TIME, CID_CANCEL, CID_PANIC, Planner
from qorgau.simulator.rhythm import PROFILE, Family, rate_per_s
from qorgau.simulator.world import Address, Device, Site, Unit, World

# Tuesday 2026-12-01 03:00 UTC is 08:00 in Aksai (UTC+5): the school morning.
MORNING = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def world() -> World:
    sites = (Site("OBJ-01", "social_object", "school", "Школа №1", 53.0, 51.17),
             Site("OBJ-02", "social_object", "hospital", "Больница", 53.01, 51.17),
             Site("PUB-1", "public_area", None, "Парк", 53.02, 51.18))
    devices = [Device(f"PNL-{k:03d}", "alarm_panel", "panel", "OBJ-01" if k % 2 else "OBJ-02", 53.0, 51.17, 300,
                      dc09=("1", "1", str(1000 + k)), zones=((1, "panic"), (2, "panic"))) for k in range(1, 9)]
    devices += [Device(f"ACC-{k:03d}", "access_point", "turnstile", "OBJ-01", 53.0, 51.17, 600,
                       mqtt_id=f"acc-{k}") for k in range(1, 5)]
    devices += [Device(f"SOS-{k:03d}", "sos_terminal", "sos", "PUB-1", 53.02, 51.18, 600, sip_user=str(7000 + k),
                       mqtt_id=f"sos-{k}") for k in range(1, 4)]
    devices += [Device(f"CAM-{k:03d}", "camera", "cam", "PUB-1", 53.02, 51.18, 180) for k in range(1, 20)]
    streets = (Address("Советская", 53.0, 51.17), Address("Первомайская", 53.01, 51.175))
    units = (Unit("PC-01", "patrol_car", "Патруль 1", 53.0, 51.17, ("gps-1",)),)
    return World(sites=sites, devices=tuple(devices), units=units, streets=streets)


def test_the_same_seed_gives_the_same_sequence() -> None:
    first = Planner(world(), seed=7, intensity=20).window(MORNING, MORNING + timedelta(hours=3))
    again = Planner(world(), seed=7, intensity=20).window(MORNING, MORNING + timedelta(hours=3))
    assert first, "a busy morning plans something"
    assert [p.describe() for p in first] == [p.describe() for p in again]
    assert first == again


def test_another_seed_gives_another_sequence() -> None:
    one = Planner(world(), seed=7, intensity=20).window(MORNING, MORNING + timedelta(hours=2))
    two = Planner(world(), seed=8, intensity=20).window(MORNING, MORNING + timedelta(hours=2))
    assert [p.describe() for p in one] != [p.describe() for p in two]


def test_a_window_is_the_same_however_it_is_cut() -> None:
    planner = Planner(world(), seed=3, intensity=20)
    whole = planner.window(MORNING, MORNING + timedelta(hours=2))
    parts = [item for k in range(8) for item in planner.window(MORNING + timedelta(minutes=15 * k),
                                                               MORNING + timedelta(minutes=15 * (k + 1)))]
    assert whole == parts
    assert all(a.at <= b.at for a, b in itertools.pairwise(whole))


def test_school_turnstiles_follow_the_school_day() -> None:
    planner = Planner(world(), seed=1, intensity=1)
    morning = [p for p in planner.window(MORNING, MORNING + timedelta(hours=1)) if p.action == "access"]
    night = MORNING + timedelta(hours=18)  # 02:00 in Aksai
    quiet = [p for p in planner.window(night, night + timedelta(hours=1)) if p.action == "access"]
    assert len(morning) > 20
    assert quiet == []


def test_rates_follow_hour_and_weekday() -> None:
    tuesday_8 = MORNING.astimezone(AKSAI_TIME)
    saturday_8 = tuesday_8 + timedelta(days=4)
    assert rate_per_s(Family.PANIC, tuesday_8, at_school=True) > rate_per_s(Family.PANIC, saturday_8, at_school=True)
    for profile in PROFILE.values():
        assert abs(sum(profile) / 24 - 1.0) < 1e-9


def test_false_panics_are_cancelled_at_the_panel() -> None:
    items = Planner(world(), seed=11, intensity=400).window(MORNING, MORNING + timedelta(hours=2))
    panics = [p for p in items if p.action == "panel" and p.params["code"] == CID_PANIC]
    cancels = [p for p in items if p.action == "panel" and p.params["code"] == CID_CANCEL]
    assert panics and cancels
    false_panics = [p for p in panics if p.params["false"]]
    assert len(cancels) == len(false_panics)
    assert 0.4 < len(false_panics) / len(panics) < 0.95  # most presses are no emergency
    calls = [p for p in items if p.action == "call"]
    assert calls and all(p.params["address"] and p.params["caller_phone"].startswith("+7") for p in calls)
    assert Counter(p.params["category"] for p in calls).most_common(1)


def test_outages_silence_devices_for_longer_than_their_supervision() -> None:
    items = Planner(world(), seed=5, intensity=2000).window(MORNING, MORNING + timedelta(hours=6))
    outages = [p for p in items if p.action == "outage"]
    assert outages
    by_code = {d.code: d for d in world().devices}
    assert all(p.params["seconds"] > by_code[p.target].supervision_s for p in outages)


def test_callers_live_on_streets_not_on_the_roads_between_settlements() -> None:
    from qorgau.simulator.world import street_points

    def feature(name: str | None, highway: str, points: list[list[float]]) -> dict[str, object]:
        return {"properties": {"name_ru": name, "highway": highway},
                "geometry": {"type": "MultiLineString", "coordinates": [points]}}

    layer = {"features": [feature("Советская", "primary", [[53.0, 51.17], [53.001, 51.17]]),
                          feature("Дорога Аксай — Облавка", "secondary", [[53.2, 51.3]]),
                          feature("Магистральная дорога", "trunk", [[52.9, 51.1]]),
                          feature(None, "residential", [[53.01, 51.18]])]}
    assert {(a.street, a.lon) for a in street_points(layer)} == {("Советская", 53.0), ("Советская", 53.001)}
