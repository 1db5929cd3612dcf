"""The video admin API: camera groups, per-camera settings with privacy-mask validation, and video walls (own and
the situation center's shared one), with their permissions, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.core.db import Database
from qorgau.video.models import VideoCamera
from tests.conftest import login, make_user
from tests.video.conftest import add_camera

SQUARE = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]


def _actions(db: Database, prefix: str) -> list[tuple[str, str | None]]:
    with db.reading() as session:
        return [(r.action, r.target_id) for r in session.scalars(
            select(AuditRecord).where(AuditRecord.action.startswith(prefix)).order_by(AuditRecord.seq))]


def test_groups_and_camera_settings(admin_client: TestClient, app_db: Database) -> None:
    client = admin_client
    device_id = add_camera(app_db, "CAM-0001", purpose="yard")
    groups = client.get("/api/video/groups").json()
    assert {g["code"] for g in groups} >= {"public_space", "yard", "school_interior"}
    school = next(g for g in groups if g["code"] == "school_interior")
    assert school["retention_days"] == 14 and school["roles"] == ["supervisor", "inspector"]

    patched = client.patch("/api/video/groups/yard", json={"retention_days": 7, "roles": ["operator", "operator"]})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["retention_days"], patched.json()["roles"]) == (7, ["operator"])
    cleared = client.patch("/api/video/groups/yard", json={"roles": None}).json()
    assert (cleared["retention_days"], cleared["roles"]) == (7, None)  # only the fields sent change
    assert client.patch("/api/video/groups/yard", json={"roles": ["nobody"]}).status_code == 422
    assert client.patch("/api/video/groups/nope", json={"retention_days": 3}).json()["code"] == "video.group_not_found"

    assert client.get("/api/video/cameras/CAM-0001/settings").json() == {
        "code": "CAM-0001", "group": "yard", "own_group": None, "recording_mode": None, "volume": None,
        "privacy_masks": [], "updated_at": None}
    body: dict[str, Any] = {"group": "school_interior", "recording_mode": "events", "volume": "local",
                            "privacy_masks": [SQUARE, [[0.5, 0.5], [1, 0.5], [1, 1]]]}
    saved = client.put("/api/video/cameras/CAM-0001/settings", json=body)
    assert saved.status_code == 200, saved.text
    assert saved.json()["group"] == "school_interior" and saved.json()["recording_mode"] == "events"
    with app_db.reading() as session:
        own = session.get(VideoCamera, device_id)
        assert own is not None and own.privacy_masks[1] == [[0.5, 0.5], [1.0, 0.5], [1.0, 1.0]]
    assert _actions(app_db, "video.camera_settings") == [("video.camera_settings", "CAM-0001")]

    for masks in ([[[0, 0], [1, 1]]], [[[0, 0], [1.5, 0], [1, 1]]], [[[0, 0], [1, 0, 0], [1, 1]]], [SQUARE] * 17):
        refused = client.put("/api/video/cameras/CAM-0001/settings", json=dict(body, privacy_masks=masks))
        assert refused.status_code == 422, masks
    assert client.put("/api/video/cameras/CAM-0001/settings",
                      json=dict(body, group="nope")).json()["code"] == "video.group_not_found"
    assert client.put("/api/video/cameras/CAM-0001/settings",
                      json=dict(body, volume="disk9")).json()["code"] == "video.volume_unknown"
    assert client.put("/api/video/cameras/CAM-9999/settings", json=body).status_code == 404
    # the admin manages every camera, whatever its group admits
    assert client.get("/api/video/cameras/CAM-0001/settings").json()["privacy_masks"][0] == SQUARE


def test_only_video_admins_manage_groups_and_settings(client: TestClient, app_db: Database) -> None:
    add_camera(app_db, "CAM-0001")
    make_user(app_db, "sup", "supervisor")
    login(client, "sup")
    assert client.get("/api/video/groups").status_code == 403
    assert client.patch("/api/video/groups/yard", json={"retention_days": 1}).status_code == 403
    assert client.put("/api/video/cameras/CAM-0001/settings", json={}).status_code == 403


def _wall(layout: str, cameras: list[str | None], name: str = "main") -> dict[str, Any]:
    return {"name": name, "layout": layout, "tiles": [{"camera": c, "follow_alarms": c is None} for c in cameras]}


def test_walls_own_and_shared(client: TestClient, app_db: Database) -> None:
    add_camera(app_db, "CAM-0001")
    add_camera(app_db, "CAM-0002")
    school = add_camera(app_db, "CAM-0009", purpose="social_object")
    with app_db.unit_of_work() as session:  # in the school interiors group: supervisors and inspectors only
        session.add(VideoCamera(device_id=school, group_code="school_interior", privacy_masks=[],
                                updated_at=datetime.now(UTC)))
    for name, role in (("op", "operator"), ("op2", "operator"), ("sup", "supervisor"), ("adm", "admin")):
        make_user(app_db, name, role)

    login(client, "op")
    saved = client.put("/api/video/walls", json=_wall("2x2", ["CAM-0001", None, "CAM-0002", None]))
    assert saved.status_code == 200, saved.text
    wall = saved.json()
    assert wall["shared"] is False and wall["tiles"][1] == {"camera": None, "follow_alarms": True}
    again = client.put("/api/video/walls", json=_wall("1", ["CAM-0002"])).json()
    assert again["id"] == wall["id"] and again["layout"] == "1"  # same name: replaced
    assert client.put("/api/video/walls", json=_wall("3x3", ["CAM-0001"] * 4)).status_code == 422
    assert client.put("/api/video/walls", json=_wall("5x5", [None] * 25)).status_code == 422
    assert client.put("/api/video/walls", json=_wall("1", ["CAM-9999"])).json()["code"] == "video.camera_not_found"
    assert client.put("/api/video/walls", json=_wall("1", ["CAM-0009"])).json()["code"] == "video.camera_not_found"
    refused = client.put("/api/video/walls/shared", json=_wall("1", ["CAM-0001"]))
    assert refused.status_code == 403 and refused.json()["code"] == "video.wall_shared_forbidden"
    assert [w["name"] for w in client.get("/api/video/walls").json()] == ["main"]

    login(client, "sup")
    shared = client.put("/api/video/walls/shared", json=_wall("2x2", ["CAM-0009", "CAM-0001", None, None], "SC"))
    assert shared.status_code == 200 and shared.json()["shared"] is True
    assert [w["name"] for w in client.get("/api/video/walls").json()] == ["SC"]  # the operator's is not here
    assert client.delete(f"/api/video/walls/{wall['id']}").status_code == 404  # not the supervisor's own

    login(client, "op")
    walls = client.get("/api/video/walls").json()
    assert [(w["name"], w["shared"]) for w in walls] == [("main", False), ("SC", True)]
    assert [t["camera"] for t in walls[1]["tiles"]] == [None, "CAM-0001", None, None]  # CAM-0009 not for operators

    login(client, "adm")  # video:admin without video:view: the shared wall, any camera
    assert client.get("/api/video/walls").status_code == 403
    assert client.get("/api/video/walls/shared").json()["tiles"][0]["camera"] == "CAM-0009"
    replaced = client.put("/api/video/walls/shared", json=_wall("1", ["CAM-0002"], "SC"))
    assert replaced.status_code == 200 and replaced.json()["id"] == shared.json()["id"]

    login(client, "op2")
    assert client.delete(f"/api/video/walls/{wall['id']}").status_code == 404
    assert client.delete("/api/video/walls/shared").status_code == 403
    login(client, "op")
    assert client.delete(f"/api/video/walls/{wall['id']}").status_code == 204
    login(client, "sup")
    assert client.delete("/api/video/walls/shared").status_code == 204
    assert client.get("/api/video/walls/shared").json()["code"] == "video.wall_not_found"
    assert [a for a, _ in _actions(app_db, "video.wall")] == [
        "video.wall_shared_save", "video.wall_shared_save", "video.wall_shared_delete"]
