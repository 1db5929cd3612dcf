"""The roads over HTTP: pushing reads, search with a reason (audited), pictures, watch lists, and the 403s."""

from __future__ import annotations

import base64
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.core.db import Database
from tests.conftest import login, make_user
from tests.roads.helpers import CROP, FRAME, T0, entry_camera


def _read(device_id: int, plate: str, **extra: Any) -> dict[str, Any]:
    return {"device_id": device_id, "seen_at": T0.isoformat(), "plate": plate, "confidence": 0.9,
            "crop": base64.b64encode(CROP).decode(), "snapshot": base64.b64encode(FRAME).decode(),
            "direction": "in"} | extra


def _users(db: Database) -> None:
    for name, role in (("admin", "admin"), ("boss", "supervisor"), ("disp", "dispatcher"), ("op", "operator")):
        make_user(db, name, role)


def test_reads_searched_with_a_reason_that_is_audited(client: TestClient, app_db: Database) -> None:
    _users(app_db)
    camera = entry_camera(app_db)
    login(client, "boss")
    listed = client.post("/api/roads/watchlists", json={"name": "Розыск", "kind": "wanted", "reason": "bulletin"})
    assert listed.status_code == 201, listed.text
    added = client.post(f"/api/roads/watchlists/{listed.json()['id']}/entries",
                        json={"pattern": "123 abc 02", "reason": "ориентировка 17"})
    assert added.status_code == 201 and added.json()["pattern"] == "123ABC02"
    login(client, "admin")  # speaks for the devices (an ANPR integration's token carries devices:write)
    pushed = client.post("/api/roads/reads", json=_read(camera, "123ABC02"))
    assert pushed.status_code == 201 and pushed.json()["hits"] == 1
    other = client.post("/api/roads/reads", json=_read(camera, "555XYZ02", direction="out")).json()["id"]
    assert client.post("/api/roads/reads", json=_read(camera, "555XYZ02", crop="bm90IGEganBlZw==")).status_code == 422

    login(client, "disp")
    assert client.post("/api/roads/search", json={"plate": "555*"}).status_code == 422  # no reason
    found = client.post("/api/roads/search", json={"plate": "5S5*", "reason": "заявка 12/7"})  # S ~ 5
    assert found.status_code == 200, found.text
    assert [r["plate"] for r in found.json()["items"]] == ["555XYZ02"]
    assert client.get(found.json()["items"][0]["crop_url"]).content == CROP
    by_direction = client.post("/api/roads/search", json={"direction": "in", "reason": "заявка 12/8"}).json()
    assert [r["plate"] for r in by_direction["items"]] == ["123ABC02"]
    track = client.post("/api/roads/track", json={"plate": "123ABC02", "reason": "заявка 12/9",
                                                  "since": "2026-12-07T00:00:00+05:00"}).json()
    assert [p["camera_code"] for p in track["points"]] == ["ANPR-01"] and track["points"][0]["lon"] is not None
    assert [h["plate"] for h in client.get("/api/roads/hits").json()] == ["123ABC02"]
    with app_db.reading() as session:
        reasons = [r.details["reason"] for r in session.scalars(
            select(AuditRecord).where(AuditRecord.action.in_(["roads.search", "roads.track"]))
            .order_by(AuditRecord.seq))]
    assert reasons == ["заявка 12/7", "заявка 12/8", "заявка 12/9"]

    login(client, "op")  # sees the pictures of hits on the alarm card, no other read's
    hit_read = client.get("/api/roads/hits")
    assert hit_read.status_code == 403
    assert client.get(f"/api/roads/reads/{pushed.json()['id']}/crop.jpg").content == CROP
    assert client.get(f"/api/roads/reads/{other}/crop.jpg").status_code == 404


def test_who_may_do_what(client: TestClient, app_db: Database) -> None:
    _users(app_db)
    camera = entry_camera(app_db)
    login(client, "op")
    assert client.post("/api/roads/search", json={"reason": "curious"}).status_code == 403
    login(client, "disp")
    assert client.post("/api/roads/watchlists", json={"name": "x", "kind": "wanted",
                                                      "reason": "mine"}).status_code == 403
    assert client.post("/api/roads/reads", json=_read(camera, "123ABC02")).status_code == 403
    login(client, "admin")
    assert client.post("/api/roads/search", json={"reason": "curious"}).status_code == 403


def test_csv_import_over_http_lists_every_problem_with_its_line(client: TestClient, app_db: Database) -> None:
    _users(app_db)
    login(client, "boss")
    bad = "list,kind,pattern,reason\nРозыск,wanted,123ABC02,ok\nРозыск,parked,1?,x y z\n"
    rejected = client.post("/api/roads/watchlists/import", params={"reason": "bulletin 5"}, content=bad.encode(),
                           headers={"Content-Type": "text/csv"})
    assert rejected.status_code == 422, rejected.text
    assert [(e["line"], e["code"]) for e in rejected.json()["errors"]] == [
        ("3", "roads.problem.unknown_kind"), ("3", "roads.problem.bad_pattern")]
    assert client.get("/api/roads/watchlists").json() == []
    good = "list;kind;pattern;reason\nРозыск;wanted;123ABC02;ok\n"
    imported = client.post("/api/roads/watchlists/import", params={"reason": "bulletin 5"}, content=good.encode(),
                           headers={"Content-Type": "text/csv"})
    assert imported.status_code == 201, imported.text
    assert [(w["name"], w["entries"]) for w in client.get("/api/roads/watchlists").json()] == [("Розыск", 1)]


def test_a_read_kept_as_evidence_outlives_the_keeping_period(client: TestClient, app_db: Database) -> None:
    from datetime import timedelta

    from qorgau.roads import service

    _users(app_db)
    camera = entry_camera(app_db)
    login(client, "admin")
    old = (T0 - timedelta(days=40)).isoformat()
    read_id = client.post("/api/roads/reads", json=_read(camera, "555XYZ02", seen_at=old)).json()["id"]
    login(client, "disp")
    assert client.post(f"/api/roads/reads/{read_id}/keep", json={}).status_code == 422  # no reason
    assert client.post(f"/api/roads/reads/{read_id}/keep", json={"reason": "incident 7"}).status_code == 204
    assert client.post("/api/roads/reads/999999/keep", json={"reason": "incident 7"}).status_code == 404
    with app_db.unit_of_work() as session:
        assert service.prune(session, keep_days=30, now=T0) == 0
