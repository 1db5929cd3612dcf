"""The Smart Aqsai seed holds exactly the plan's numbers, stands inside the district and is idempotent."""

from __future__ import annotations

from collections import Counter

import pytest

from qorgau.core.db import Database
from qorgau.devices import geo, queries
from qorgau.devices.planner import FallbackPlanner
from qorgau.devices.seed import build, seed, social_objects
from tests.conftest import CLI_ACTOR
from tests.devices.conftest import CTX, events


def test_the_plan_numbers_exactly() -> None:
    sites, devices = build(FallbackPlanner())
    cameras = [d for d in devices if d.kind == "camera"]
    purposes = Counter(str(d.purpose) for d in cameras)
    assert len(cameras) == 469
    assert purposes["public_space"] + purposes["yard"] == 293
    assert (purposes["public_space"], purposes["yard"]) == (173, 120)
    assert purposes["intersection"] == 25 and purposes["speed"] == 7 and purposes["city_entry_anpr"] == 8
    assert purposes["social_object"] == 113
    assert purposes["police_post"] + purposes["situation_center"] == 23
    site_kinds = Counter(str(s.kind) for s in sites)
    assert site_kinds["intersection"] == 8 and site_kinds["speed_point"] == 7 and site_kinds["city_entry"] == 4
    assert site_kinds["social_object"] == 36 and site_kinds["police_post"] == 5 and site_kinds["situation_center"] == 1
    assert site_kinds["reception_point"] == 3  # УПП, without cameras of their own
    kinds = Counter(str(d.kind) for d in devices)
    assert kinds["alarm_panel"] == 36 and kinds["sos_terminal"] == 12
    by_site = Counter(d.site_code for d in cameras)
    assert all(by_site[s.code] == 1 for s in sites if s.kind == "speed_point")
    assert all(by_site[s.code] == 2 for s in sites if s.kind == "city_entry")
    assert sorted(by_site[s.code] for s in sites if s.kind == "intersection") == [3] * 7 + [4]
    panels = {d.site_code: d for d in devices if d.kind == "alarm_panel"}
    objects = [s for s in sites if s.kind == "social_object"]
    assert set(panels) == {s.code for s in objects}
    assert all(z.kind == "panic" for p in panels.values() for z in p.zones)
    assert sum(len(p.zones) for p in panels.values()) == sum(o.panic_buttons for o in social_objects()) == 79
    assert kinds["access_point"] == sum(o.turnstiles for o in social_objects()) == 29
    assert Counter(str(o.subtype) for o in social_objects()) == {
        "school": 10, "kindergarten": 12, "college": 2, "hospital": 1, "polyclinic": 2, "akimat": 1,
        "state_institution": 8}


def test_everything_is_unique_generated_and_inside_the_district() -> None:
    sites, devices = build(FallbackPlanner())
    boundary = geo.district_boundary()
    assert boundary is not None
    assert all(boundary.contains(d.lon, d.lat) for d in devices)
    assert all(d.generated for d in devices) and all(s.generated for s in sites)
    streams = [u for d in devices for u in (d.stream_main, d.stream_sub) if u]
    assert len(streams) == len(set(streams)) == 2 * 469
    assert all(u.startswith("rtsp://10.7.") for u in streams)
    identifiers = [(str(p), v) for d in devices for p, v in d.identifiers.by_protocol().items()]
    assert len(identifiers) == len(set(identifiers)) == 36 + 29 + 12 + 12  # SOS terminals: SIP and MQTT
    assert len({d.code for d in devices}) == len(devices) and len({s.code for s in sites}) == len(sites)
    assert build(FallbackPlanner()) == (sites, devices)  # deterministic


@pytest.mark.timeout(120)  # seeds the whole Smart Aqsai plan (546 devices) twice
def test_seeding_twice_changes_nothing_the_second_time(db: Database) -> None:
    with db.unit_of_work() as session:
        first = seed(session, FallbackPlanner(), actor=CLI_ACTOR, ctx=CTX)
    assert first.devices.created == 469 + 36 + 29 + 12 and first.sites_changed == 162
    published = len(events(db))
    with db.unit_of_work() as session:
        again = seed(session, FallbackPlanner(), actor=CLI_ACTOR, ctx=CTX)
    assert (again.sites_changed, again.devices.created, again.devices.updated) == (0, 0, 0)
    assert len(events(db)) == published
    with db.reading() as session:
        summary = queries.summary(session)
    assert summary.by_kind == {"camera": 469, "alarm_panel": 36, "access_point": 29, "sos_terminal": 12}
    assert summary.by_purpose["public_space"] == 173 and summary.by_health == {"unknown": 546}
