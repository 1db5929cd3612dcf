"""Resetting a camera's picture reference over the API: video administrators only, audited, 404 without one."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.core.db import Database
from qorgau.video.models import PictureReference
from tests.conftest import login, make_user
from tests.video.conftest import add_camera


def test_reset_picture_reference(client: TestClient, app_db: Database) -> None:
    device_id = add_camera(app_db, "CAM-0001")
    with app_db.unit_of_work() as session:
        session.add(PictureReference(device_id=device_id, image=b"png", sharpness={"day": 0.3}, blur={"day": 0.3},
                                     learned_at=datetime.now(UTC)))
    make_user(app_db, "op", "operator")
    make_user(app_db, "admin", "admin")
    url = "/api/video/cameras/CAM-0001/picture-reference"
    login(client, "op")
    assert client.delete(url).status_code == 403
    login(client, "admin")
    assert client.delete(url).status_code == 204
    again = client.delete(url)
    assert again.status_code == 404 and again.json()["code"] == "video.picture_reference_not_found"
    assert client.delete("/api/video/cameras/NOPE/picture-reference").json()["code"] == "video.camera_not_found"
    with app_db.reading() as session:
        assert session.scalar(select(PictureReference)) is None
        assert [(r.action, r.target_id) for r in session.scalars(select(AuditRecord).where(
            AuditRecord.action == "video.picture_reference_reset"))] == [("video.picture_reference_reset", "CAM-0001")]
