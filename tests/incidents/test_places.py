"""Where, who and what (issue 19): on the Smart Aqsai plan seeded over the Aksai model, every panel and SOS
terminal is seen by its site's cameras, and a school's panic names the school, its address and the zone, lists
the school's cameras first and opens an incident that carries the address; people are named with their role."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from qorgau.auth.models import User
from qorgau.core.bus import Context, publish
from qorgau.core.db import Database
from qorgau.devices import places
from qorgau.devices.city_planner import CityPlanner
from qorgau.devices.models import Device, Site
from qorgau.devices.seed import seed
from qorgau.ingest.events import PANEL_EVENT, PanelEvent
from tests.conftest import CLI_ACTOR, login, make_user
from tests.incidents.conftest import ok

CTX = Context.system("test")


def _seed_plan(db: Database) -> None:
    with db.unit_of_work() as session:
        seed(session, CityPlanner(session), actor=CLI_ACTOR, ctx=CTX)


def _panic(db: Database, account_device: str, site: str) -> None:
    payload = PanelEvent(device_code=account_device, site_code=site, kind="panic", restore=False, code="PA",
                         protocol="ADM-CID", zone="001", zone_kind="panic",
                         zone_name="Күзет бекеті / Пост охраны / Security post", account="1003", line="1",
                         sequence=1, encrypted=False)
    with db.unit_of_work() as session:
        publish(session, PANEL_EVENT, subject_id=account_device, payload=payload, ctx=CTX)


def _first(client: TestClient, path: str) -> dict[str, Any]:
    """The first item of a list, once there is one (the dispatcher works after the commit)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        items = ok(client.get(path))["items"]
        if items:
            found: dict[str, Any] = items[0]
            return found
        time.sleep(0.1)
    raise AssertionError(f"{path} stayed empty")


def test_every_panel_and_terminal_is_seen_by_its_own_sites_cameras(db: Database) -> None:
    app_db = db
    _seed_plan(app_db)
    with app_db.reading() as session:
        rows = session.execute(select(Device.code, Device.lon, Device.lat, Site.code).join(Site).where(
            Device.kind.in_(["alarm_panel", "sos_terminal"]))).all()
        assert len(rows) == 36 + 12
        for code, lon, lat, site_code in rows:
            cameras = places.cameras_for(app_db, session, lon, lat, 6, site_code=site_code)
            own = [c for c in cameras if c.own_site]
            assert own and cameras[:len(own)] == own, code
            assert all(c.sees for c in own), (code, [(c.code, c.off_axis_deg) for c in own])
        # A point no camera looks at still gets the cameras standing near it, marked as not seeing it.
        school = session.scalars(select(Site).where(Site.code == "OBJ-03")).one()
        aside = places.cameras_for(app_db, session, school.lon + 0.0012, school.lat, 10)
        assert aside and all(c.distance_m <= places.NEAR_M for c in aside if not c.sees)
        assert not places.cameras_for(app_db, session, school.lon + 0.0012, school.lat, 10, near_m=0) or \
            all(c.sees for c in places.cameras_for(app_db, session, school.lon + 0.0012, school.lat, 10, near_m=0))


def test_a_school_panic_names_the_place_lists_its_cameras_and_the_incident_has_the_address(
        client: TestClient, app_db: Database) -> None:
    _seed_plan(app_db)
    user_id = make_user(app_db, "akhmetova", "operator")
    with app_db.unit_of_work() as session:
        session.execute(update(User).where(User.id == user_id).values(display_name="Ахметова Айгерим"))
        site = session.scalars(select(Site).where(Site.code == "OBJ-03")).one()
        address, school_cameras = site.address, set(session.scalars(
            select(Device.code).where(Device.site_id == site.id, Device.kind == "camera")))
    assert address and len(school_cameras) == 4
    login(client, "akhmetova")
    _panic(app_db, "PNL-03", "OBJ-03")
    # The app's own dispatcher runs the rules and then opens the school's incident.
    alarm = _first(client, "/api/alarms")
    assert alarm["place"]["name"] == {"kk": "№3 мектеп", "ru": "Школа №3", "en": "School No. 3"}
    ok(client.post(f"/api/alarms/{alarm['id']}/acknowledge"))
    detail = ok(client.get(f"/api/alarms/{alarm['id']}"))
    place = detail["place"]
    assert place["site_code"] == "OBJ-03" and place["address"] == address and place["zone"] == "1"
    assert place["zone_name"] == {"kk": "Күзет бекеті", "ru": "Пост охраны", "en": "Security post"}
    assert place["area"]["ru"] == "Аксай" and place["area"]["en"] == "Aksay"
    own = [c for c in detail["cameras"] if c["own_site"]]
    assert {c["code"] for c in own} == school_cameras and detail["cameras"][:4] == own
    assert all(c["sees"] and c["distance_m"] < 30 and c["name_en"].startswith("School No. 3") for c in own)
    assert detail["acknowledged_by_label"] == "Ахметова А. (operator)"

    incident = _first(client, "/api/incidents")
    assert incident["alarm_id"] == alarm["id"] and incident["address"] == address
    assert incident["area_names"] == {"kk": "Ақсай", "ru": "Аксай", "en": "Aksay"}  # the board's area, per language
    ok(client.post(f"/api/incidents/{incident['id']}/transition", json={"to": "on_hold", "reason": "ждём"}))
    shown = ok(client.get(f"/api/incidents/{incident['id']}"))
    assert shown["place"]["name"]["ru"] == "Школа №3" and shown["place"]["address"] == address
    assert shown["area_names"]["en"] == "Aksay"
    assert {c["code"] for c in shown["cameras"] if c["own_site"]} == school_cameras
    person = shown["people"][f"user:{user_id}"]
    assert person["label"] == "Ахметова А. (operator)" and person["role"] == "operator"
    assert shown["transitions"][-1]["actor"] == f"user:{user_id}"
