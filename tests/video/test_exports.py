"""Evidence exports from real recorded segments: the files decode with the right duration, the manifest's hashes and
signature verify (folder, zip, CLI), a tampered file or manifest fails, a range beyond the recordings is refused,
a failed or interrupted job leaves no files, and the API's permissions, audit and protections hold."""

from __future__ import annotations

import json
import os
import shutil
import socket
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from qorgau.audit.models import AuditRecord
from qorgau.audit.service import Actor
from qorgau.audit.signing import load_signer
from qorgau.cli import app as cli_app
from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.core.errors import QorgauError
from qorgau.core.i18n import translate
from qorgau.devices.models import Device
from qorgau.settings import Settings
from qorgau.video import exports
from qorgau.video.enums import ExportState
from qorgau.video.export_workers import ExportRunner
from qorgau.video.models import CameraGroup, Export, Protection, Segment, VideoCamera
from qorgau.video.verify import verify_export
from tests.conftest import login, make_user
from tests.video.conftest import add_camera, wait_for
from tests.video.export_media import FPS, T0, decode, make_h264, record

ACTOR = Actor("user:7", "anna", "test")
CTX = Context.system("test")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_h264(tmp_path_factory.mktemp("export-clip") / "road.mp4", seconds=8)


def _recorded(db: Database, settings: Settings, clip: Path, code: str = "CAM-0001") -> Device:
    device_id = add_camera(db, code)
    record(clip, settings.volumes()[0].path, db, device_id=device_id, code=code)
    with db.reading() as session:
        device = session.get(Device, device_id)
        assert device is not None
        session.expunge(device)
        return device


def _request(db: Database, device: Device, start_s: float, end_s: float, reason: str = "incident 102-77") -> str:
    with db.unit_of_work() as session:
        export = exports.request(session=session, devices=[device], start_at=T0 + timedelta(seconds=start_s),
                                 end_at=T0 + timedelta(seconds=end_s), reason=reason, incident_id=None,
                                 actor=ACTOR, ctx=CTX)
        return export.id


def _state(db: Database, export_id: str) -> Export:
    with db.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None
        session.expunge(export)
        return export


def test_export_remuxes_trims_at_key_frames_signs_and_verifies(
    db: Database, settings: Settings, clip: Path, tmp_path: Path
) -> None:
    device = _recorded(db, settings, clip)  # four 2 s segments, 14:00:00 .. 14:00:08
    export_id = _request(db, device, 2.5, 6.5)
    assert _state(db, export_id).state == ExportState.PENDING
    assert ExportRunner(settings, db).run_pending() == 1
    export = _state(db, export_id)
    assert export.state == ExportState.DONE, export.error
    folder, zip_path = settings.exports_dir / export_id, settings.exports_dir / f"{export_id}.zip"
    manifest = json.loads((folder / "manifest.json").read_text())
    camera = manifest["cameras"][0]
    # starts at the key frame at 2 s (before 2.5 s), ends with the last frame before 6.5 s (6.48 s + 1/25)
    assert camera["actual"] == {"from": "2026-12-06T14:00:02Z", "to": "2026-12-06T14:00:06.520000Z"}
    assert manifest["requested"] == {"from": "2026-12-06T14:00:02.500000Z", "to": "2026-12-06T14:00:06.500000Z"}
    assert manifest["reason"] == "incident 102-77" and manifest["requested_by"] == {"actor": "user:7", "name": "anna"}
    assert manifest["signature"]["key_id"] == load_signer(settings).key_id
    (file,) = camera["files"]
    frames, seconds, _ = decode(folder / file["name"])
    assert frames == file["frames"] == 113 and seconds == pytest.approx(113 / FPS, abs=0.01)
    assert export.manifest_sha256 and export.bytes == zip_path.stat().st_size
    with zipfile.ZipFile(zip_path) as archive:
        assert sorted(archive.namelist()) == [f"{export_id}/CAM-0001.mp4", f"{export_id}/manifest.json"]

    for target in (zip_path, folder):
        report = verify_export(target)
        assert report.ok, report.problems
    assert verify_export(zip_path, trusted_key=load_signer(settings).public_key).ok
    assert not verify_export(zip_path, trusted_key="AAAA" + load_signer(settings).public_key[4:]).ok

    altered = tmp_path / "altered"
    shutil.copytree(folder, altered)
    with (altered / file["name"]).open("r+b") as handle:
        handle.seek(5000)
        handle.write(b"\x00\x01\x02")
    assert any("altered" in p for p in verify_export(altered).problems)

    forged = tmp_path / "forged"
    shutil.copytree(folder, forged)
    (forged / "manifest.json").write_text(json.dumps(dict(manifest, reason="something else")))
    assert any("signature" in p for p in verify_export(forged).problems)
    shutil.copytree(folder, tmp_path / "extra")
    (tmp_path / "extra" / "note.txt").write_text("added later")
    assert verify_export(tmp_path / "extra").problems == ["note.txt: not in the manifest"]

    doubled = tmp_path / "doubled.zip"
    shutil.copy(zip_path, doubled)
    with zipfile.ZipFile(doubled, "a") as archive:
        archive.writestr(f"other/{file['name']}", b"not the recorded video")
    assert f"{file['name']}: more than one file of this name" in verify_export(doubled).problems

    runner = CliRunner()
    good = runner.invoke(cli_app, ["video", "verify", str(zip_path)])
    assert good.exit_code == 0 and "VALID" in good.output, good.output
    bad = runner.invoke(cli_app, ["video", "verify", str(altered)])
    assert bad.exit_code == 1 and "NOT VALID" in bad.output


def test_range_beyond_the_recording_is_refused(db: Database, settings: Settings, clip: Path) -> None:
    device = _recorded(db, settings, clip)
    for start_s, end_s, code in [(-5, 3, "video.export_beyond_recording"), (5, 20, "video.export_beyond_recording"),
                                 (4, 4, "video.export_bad_range"), (0, 3600 * 25, "video.export_bad_range")]:
        with pytest.raises(QorgauError) as refused:
            _request(db, device, start_s, end_s)
        assert (refused.value.code, refused.value.status) == (code, 422)
    other = add_camera(db, "CAM-0002")
    with db.reading() as session:
        unrecorded = session.get(Device, other)
        assert unrecorded is not None
        with pytest.raises(QorgauError) as nothing:
            exports.check_range(session, devices=[unrecorded], start_at=T0, end_at=T0 + timedelta(seconds=2))
    assert nothing.value.code == "video.export_nothing_recorded"


def test_a_failed_or_interrupted_export_leaves_no_files(db: Database, settings: Settings, clip: Path) -> None:
    device = _recorded(db, settings, clip)
    broken = _request(db, device, 0, 3)
    with db.reading() as session:
        first = session.scalars(select(Protection).where(Protection.ref == broken)).one()
        assert first.released_at is None
    # the recording vanished under the job: a failed export, with the error, and nothing on disk
    shutil.move(settings.volumes()[0].path, settings.data_dir / "moved")
    ExportRunner(settings, db).run_pending()
    failed = _state(db, broken)
    assert failed.state == ExportState.FAILED and failed.error
    assert not list(settings.exports_dir.iterdir())
    shutil.move(settings.data_dir / "moved", settings.volumes()[0].path)

    # a process stopped mid-job: its export stays running with a half-written folder; the next start fails it,
    # but not one that a live process (here: this one) is building
    stopped, building = _request(db, device, 0, 3), _request(db, device, 0, 3)
    here = socket.gethostname()
    with db.unit_of_work() as session:
        for export_id, pid in ((stopped, 2**22 + 1), (building, os.getpid())):  # above pid_max: no such process
            session.execute(update(Export).where(Export.id == export_id).values(
                state=ExportState.RUNNING.value, details={"claimed_by": f"{here}:{pid}"}))
    (settings.exports_dir / f"{stopped}.tmp").mkdir()
    (settings.exports_dir / f"{stopped}.zip.part").write_bytes(b"PK half")
    ExportRunner(settings, db).run_pending()
    assert _state(db, stopped).state == ExportState.FAILED and _state(db, stopped).error == exports.INTERRUPTED
    assert _state(db, building).state == ExportState.RUNNING
    assert not list(settings.exports_dir.iterdir())


def test_masked_camera_is_exported_with_its_masks_burned_in(db: Database, settings: Settings, clip: Path) -> None:
    device = _recorded(db, settings, clip)
    with db.unit_of_work() as session:
        session.add(VideoCamera(device_id=device.id, privacy_masks=[[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]]],
                                updated_at=T0))
    export_id = _request(db, device, 0, 2)
    ExportRunner(settings, db).run_pending()
    export = _state(db, export_id)
    assert export.state == ExportState.DONE, export.error
    assert verify_export(settings.exports_dir / f"{export_id}.zip").ok
    manifest = json.loads((settings.exports_dir / export_id / "manifest.json").read_text())
    (file,) = manifest["cameras"][0]["files"]
    assert file["privacy_masks_burned_in"] and file["codec"] == "h264"
    frames, _, first = decode(settings.exports_dir / export_id / file["name"])
    assert frames == 50
    height, width, _ = first.shape
    assert first[: height // 2 - 8, : width // 2 - 8].max() < 40  # the masked quarter is black
    assert first[height // 2 + 8:, width // 2 + 8:].mean() > 40  # the rest is the picture


def _api_camera(app_db: Database, settings: Settings, clip: Path, code: str = "CAM-0001") -> Device:
    return _recorded(app_db, settings, clip, code)


def test_api_requests_builds_downloads_and_deletes_an_export(
    client: TestClient, app_db: Database, settings: Settings, clip: Path, tmp_path: Path
) -> None:
    _api_camera(app_db, settings, clip)
    make_user(app_db, "sup", "supervisor")
    login(client, "sup")
    body: dict[str, Any] = {"cameras": ["CAM-0001"], "from": "2026-12-06T14:00:01Z", "to": "2026-12-06T14:00:05Z",
                            "reason": "theft at the market"}
    response = client.post("/api/video/exports", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["state"] == "pending" and created["from"] == "2026-12-06T14:00:01Z"
    export_id = created["id"]

    beyond = client.post("/api/video/exports", json=dict(body, to="2026-12-06T15:00:00Z"))
    assert beyond.status_code == 422 and beyond.json()["code"] == "video.export_beyond_recording"
    assert "CAM-0001" in beyond.json()["detail"]
    short = client.post("/api/video/exports", json=dict(body, reason="why"))
    assert short.status_code == 422
    assert client.post("/api/video/exports", json=dict(body, cameras=["CAM-9999"])).status_code == 404
    assert client.post("/api/video/exports", json=dict(body, incident_id=999)).json()["code"] == "incidents.not_found"
    assert client.get(f"/api/video/exports/{export_id}/download").json()["code"] == "video.export_not_ready"

    # the server's own periodic job builds it (a runner here may take it first: the claim is atomic)
    ExportRunner(settings, app_db).run_pending()
    wait_for(lambda: client.get(f"/api/video/exports/{export_id}").json()["state"] == "done", 20, "the export")
    read = client.get(f"/api/video/exports/{export_id}").json()
    assert read["state"] == "done" and read["files"][0]["files"][0]["name"] == "CAM-0001.mp4"
    assert [e["id"] for e in client.get("/api/video/exports").json()["items"]] == [export_id]
    download = client.get(f"/api/video/exports/{export_id}/download")
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    saved = tmp_path / "download.zip"
    saved.write_bytes(download.content)
    assert verify_export(saved).ok
    with app_db.reading() as session:
        actions = [(r.action, r.target_id, r.details.get("reason")) for r in session.scalars(
            select(AuditRecord).where(AuditRecord.action.startswith("video.")).order_by(AuditRecord.seq))]
    assert actions == [("video.export", "CAM-0001", "theft at the market"),
                       ("video.export_download", "CAM-0001", "theft at the market")]

    assert client.delete(f"/api/video/exports/{export_id}").status_code == 204
    assert client.get(f"/api/video/exports/{export_id}").status_code == 404
    assert not (settings.exports_dir / f"{export_id}.zip").exists()
    with app_db.reading() as session:
        assert session.scalars(select(Protection.released_at).where(Protection.ref == export_id)).one() is not None


def test_api_refuses_who_may_not_export_or_see_the_camera(
    client: TestClient, app_db: Database, settings: Settings, clip: Path
) -> None:
    _api_camera(app_db, settings, clip)
    make_user(app_db, "op", "operator")
    make_user(app_db, "sup", "supervisor")
    body = {"cameras": ["CAM-0001"], "from": "2026-12-06T14:00:01Z", "to": "2026-12-06T14:00:05Z",
            "reason": "theft at the market"}
    login(client, "sup")
    export_id = client.post("/api/video/exports", json=body).json()["id"]
    login(client, "op")  # no video:export
    assert client.post("/api/video/exports", json=body).status_code == 403
    assert client.get(f"/api/video/exports/{export_id}").status_code == 403
    login(client, "sup")
    with app_db.unit_of_work() as session:  # the camera's group is for inspectors only now
        session.execute(update(CameraGroup).where(CameraGroup.code == "public_space").values(roles=["inspector"]))
    assert client.post("/api/video/exports", json=body).json()["code"] == "video.camera_not_found"
    assert client.get(f"/api/video/exports/{export_id}").status_code == 404
    assert client.get(f"/api/video/exports/{export_id}/download").status_code == 404
    assert client.get("/api/video/exports").json()["items"] == []
    assert client.get("/api/video/exports/not-an-id").status_code == 422


def test_two_cameras_one_with_a_hole_in_its_recording(db: Database, settings: Settings, clip: Path) -> None:
    first, second = _recorded(db, settings, clip, "CAM-0001"), _recorded(db, settings, clip, "CAM-0002")
    with db.unit_of_work() as session:  # CAM-0002 lost 14:00:04 .. 14:00:06 (e.g. a stream drop)
        hole = session.scalars(select(Segment).where(Segment.device_id == second.id)
                               .order_by(Segment.start_at).offset(2).limit(1)).one()
        session.delete(hole)
    with db.unit_of_work() as session:
        export_id = exports.request(session=session, devices=[first, second], start_at=T0 + timedelta(seconds=1),
                                    end_at=T0 + timedelta(seconds=7), reason="two cameras", incident_id=None,
                                    actor=ACTOR, ctx=CTX).id
    ExportRunner(settings, db).run_pending()
    assert _state(db, export_id).state == ExportState.DONE, _state(db, export_id).error
    manifest = json.loads((settings.exports_dir / export_id / "manifest.json").read_text())
    by_code = {c["code"]: c for c in manifest["cameras"]}
    assert by_code["CAM-0001"]["gaps"] == []
    assert by_code["CAM-0002"]["gaps"] == [{"from": "2026-12-06T14:00:04Z", "to": "2026-12-06T14:00:06Z"}]
    frames = {code: decode(settings.exports_dir / export_id / c["files"][0]["name"])[0] for code, c in by_code.items()}
    assert frames == {"CAM-0001": 175, "CAM-0002": 125}  # from the key frame at 0 s to 7 s, less the 2 s lost
    assert verify_export(settings.exports_dir / f"{export_id}.zip").ok
    with db.reading() as session:
        assert {p.device_id for p in session.scalars(select(Protection).where(Protection.ref == export_id))} == {
            first.id, second.id}


def test_api_says_why_an_export_failed_in_the_callers_language(
    client: TestClient, app_db: Database, settings: Settings, clip: Path
) -> None:
    _api_camera(app_db, settings, clip)
    make_user(app_db, "sup", "supervisor")
    login(client, "sup")
    shutil.rmtree(settings.volumes()[0].path / "CAM-0001")  # the files went missing under the index
    export_id = client.post("/api/video/exports", json={
        "cameras": ["CAM-0001"], "from": "2026-12-06T14:00:01Z", "to": "2026-12-06T14:00:05Z",
        "reason": "theft at the market"}).json()["id"]
    wait_for(lambda: client.get(f"/api/video/exports/{export_id}").json()["state"] == "failed", 20, "the failure")
    failed = client.get(f"/api/video/exports/{export_id}", headers={"Accept-Language": "kk"}).json()
    assert failed["error"] and failed["error_message"] == translate("video.export_failed", "kk")
    assert client.get(f"/api/video/exports/{export_id}/download").json()["code"] == "video.export_not_ready"
    assert client.delete(f"/api/video/exports/{export_id}").status_code == 204
