"""Scenario files: the shipped ones load and resolve on the Aksai world; bad files get clear errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from qorgau.simulator import scenarios
from qorgau.simulator.plan import CID_PANIC
from qorgau.simulator.world import Address, Device, Site, World

START = datetime(2026, 12, 1, 3, 15, tzinfo=UTC)


def world() -> World:
    sites = (Site("OBJ-01", "social_object", "school", "Школа №1", 53.0, 51.17),
             Site("OBJ-03", "social_object", "school", "Школа №3", 53.0, 51.17),
             Site("OBJ-30", "social_object", "school", "Школа №30", 53.0, 51.17),
             Site("OBJ-11", "social_object", "college", "Колледж №1", 53.0, 51.17),
             Site("ENT-1", "city_entry", None, "Въезд 1", 53.1, 51.2),
             Site("ENT-2", "city_entry", None, "Въезд 2", 53.1, 51.2),
             Site("PA-001", "public_area", None, "Общественное место №1", 53.02, 51.18),
             Site("PUB-1", "public_area", None, "Парк", 53.02, 51.18))
    devices = (Device("PNL-030", "alarm_panel", "p", "OBJ-30", 53.0, 51.17, 300, dc09=("1", "1", "1030"),
                      zones=((1, "panic"),)),
               Device("PNL-003", "alarm_panel", "p", "OBJ-03", 53.0, 51.17, 300, dc09=("1", "1", "1003"),
                      zones=((4, "door"), (7, "panic"))),
               Device("ACC-001", "access_point", "t", "OBJ-11", 53.0, 51.17, 600, mqtt_id="acc-1"),
               Device("CAM-ENT", "camera", "c", "ENT-1", 53.1, 51.2, 180),
               Device("CAM-S01", "camera", "c", "OBJ-01", 53.0, 51.17, 180),
               Device("CAM-E02", "camera", "c", "ENT-2", 53.1, 51.2, 180),
               Device("CAM-P01", "camera", "c", "PA-001", 53.02, 51.18, 180),
               Device("SOS-001", "sos_terminal", "s", "PUB-1", 53.02, 51.18, 600, sip_user="7001"))
    return World(sites=sites, devices=devices, units=(), streets=(Address("Советская", 53.0, 51.17),))


def test_shipped_scenarios_load_and_resolve() -> None:
    names = scenarios.shipped_names()
    assert {"school-panic-0815", "sos-park-night", "entry-camera-offline", "demo-start"} <= set(names)
    for name in names:
        items = scenarios.resolve(scenarios.load(name), world(), START)
        assert items and all(item.source == name and item.at >= START for item in items)


def test_video_scenes_play_on_the_site_cameras() -> None:
    faults = [(item.target, item.params) for name in ("school-yard-night", "public-area-crowd", "entry-stopped-car",
                                                      "entry-camera-covered")
              for item in scenarios.resolve(scenarios.load(name), world(), START)]
    assert faults == [("CAM-S01", {"fault": "play", "seconds": 600.0, "clip": "yard-night"}),
                      ("CAM-P01", {"fault": "play", "seconds": 600.0, "clip": "crowd"}),
                      ("CAM-ENT", {"fault": "play", "seconds": 600.0, "clip": "stopped-car"}),
                      ("CAM-E02", {"fault": "cover", "seconds": 300.0})]
    no_clip = scenarios.Scenario(name="x", title="x", steps=[scenarios.Step(do="play", site="ENT-1")])
    with pytest.raises(scenarios.ScenarioError, match="names its clip"):
        scenarios.resolve(no_clip, world(), START)


def test_school_number_3_is_not_school_number_30() -> None:
    items = scenarios.resolve(scenarios.load("school-panic-0815"), world(), START)
    panic = items[0]
    assert (panic.action, panic.target, panic.params["code"], panic.params["zone"]) == ("panel", "PNL-003",
                                                                                         CID_PANIC, 7)
    call = items[1]
    assert call.action == "call" and call.at == START + timedelta(seconds=60)
    assert call.params["address"] == "Советская 12"


def test_durations_read_like_people_write_them() -> None:
    assert scenarios.seconds("90s") == 90 and scenarios.seconds("2m") == 120 and scenarios.seconds(5) == 5
    assert scenarios.seconds("1.5h") == 5400
    with pytest.raises(ValueError, match="not a duration"):
        scenarios.seconds("soon")


def test_bad_files_get_clear_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ntitle: t\nsteps:\n  - do: explode\n", encoding="utf-8")
    with pytest.raises(scenarios.ScenarioError, match=r"broken\.yaml"):
        scenarios.load(broken)
    with pytest.raises(scenarios.ScenarioError, match="no scenario named"):
        scenarios.load("no-such-story")
    nowhere = tmp_path / "nowhere.yaml"
    nowhere.write_text("name: nowhere\ntitle: t\nsteps:\n  - do: panic\n    site: Школа №99\n", encoding="utf-8")
    with pytest.raises(scenarios.ScenarioError, match="Школа №99"):
        scenarios.resolve(scenarios.load(nowhere), world(), START)
