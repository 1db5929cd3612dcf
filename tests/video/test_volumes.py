"""Volume checks: at quota or gone → state and a `video.volume_changed` event; back to ok when room returns."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.settings import Settings
from qorgau.video import segments, volumes
from qorgau.video.config import VolumeSpec
from qorgau.video.enums import VolumeState
from qorgau.video.models import Segment, VolumeStatus
from tests.video.rec_packets import add_camera, make_h264, record


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_h264(tmp_path_factory.mktemp("clip") / "road.mp4", seconds=6.0, gop=15)


def _check(db: Database, spec: VolumeSpec) -> VolumeStatus:
    with db.unit_of_work() as session:
        return volumes.check(session=session, specs=[spec], min_free=0)[0]


def _events(db: Database) -> list[tuple[str, str]]:
    with db.reading() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.name == "video.volume_changed")
                               .order_by(OutboxEvent.seq)).all()
        return [(row.payload["previous"], row.payload["current"]) for row in rows]


def test_quota_reached_is_full_and_room_again_is_ok(db: Database, clip: Path, tmp_path: Path) -> None:
    device_id = add_camera(db)
    spec = VolumeSpec(name="v1", path=tmp_path / "v1", quota_gb=0.0001)  # 100 kB
    assert _check(db, spec).state == VolumeState.OK.value
    assert (spec.path / volumes.MARKER).exists() and _events(db) == []
    with db.unit_of_work() as session:
        for closed in record(clip, spec.path, device_id=device_id, code="CAM-0001"):
            segments.insert(session=session, closed=closed)
    row = _check(db, spec)
    assert row.state == VolumeState.FULL.value and row.used_bytes > 100_000
    with db.reading() as session:
        assert volumes.writable(session=session, specs=[spec]) == {}
    assert _events(db) == [("ok", "full")]
    with db.unit_of_work() as session:
        session.execute(delete(Segment))
    assert _check(db, spec).state == VolumeState.OK.value
    with db.reading() as session:
        assert volumes.choose(volumes.writable(session=session, specs=[spec]), None) == "v1"
    assert _events(db) == [("ok", "full"), ("full", "ok")]


def test_a_vanished_volume_is_missing_not_recreated(db: Database, tmp_path: Path) -> None:
    spec = VolumeSpec(name="v1", path=tmp_path / "mnt" / "v1", quota_gb=1)
    other = VolumeSpec(name="v2", path=tmp_path / "v2", quota_gb=2)
    with db.unit_of_work() as session:
        volumes.check(session=session, specs=[spec, other], min_free=0)
    shutil.rmtree(tmp_path / "mnt")  # the disk is unmounted
    row = _check(db, spec)
    assert row.state == VolumeState.MISSING.value and not spec.path.exists()
    assert _events(db) == [("ok", "missing")]
    with db.reading() as session:
        room = volumes.writable(session=session, specs=[spec, other])
    assert volumes.choose(room, "v1") == "v2"  # the camera's own volume is gone: another takes it


def test_a_write_failure_reported_by_a_recorder_marks_the_volume(db: Database, tmp_path: Path) -> None:
    spec = VolumeSpec(name="v1", path=tmp_path / "v1", quota_gb=1)
    _check(db, spec)
    with db.unit_of_work() as session:
        volumes.report_failure(session=session, spec=spec, error="No space left on device")
    assert _events(db) == [("ok", "full")]
    assert _check(db, spec).state == VolumeState.OK.value  # the next check finds room again


def test_the_storage_job_reconciles_first_then_keeps_retention_and_states(db: Database, clip: Path,
                                                                          settings: Settings) -> None:
    from qorgau.video.workers import StorageJob

    device_id = add_camera(db)
    root = settings.volumes()[0].path
    job = StorageJob(settings, db)
    first = job.run()
    assert first.states == {"local": "ok"} and first.repair is not None and first.deleted == 0
    with db.unit_of_work() as session:  # recorded 40 days ago: past the 30-day default
        for closed in record(clip, root, device_id=device_id, code="CAM-0001", volume="local",
                             wall0=utcnow() - timedelta(days=40)):
            segments.insert(session=session, closed=closed)
    second = job.run()
    assert second.repair is None and second.deleted == 2 and not list(root.rglob("*.mp4"))


def test_the_storage_report_says_what_is_kept_and_for_how_long(db: Database, clip: Path, settings: Settings) -> None:
    from qorgau.video.storage_commands import need_bytes, report

    device_id = add_camera(db)
    add_camera(db, "CAM-0002", east_m=30)
    root = settings.volumes()[0].path
    now = utcnow()
    closed = record(clip, root, device_id=device_id, code="CAM-0001", volume="local", wall0=now - timedelta(hours=1))
    with db.unit_of_work() as session:
        for item in closed:
            segments.insert(session=session, closed=item)
        volumes.check(session=session, specs=settings.volumes(), min_free=0)
    with db.reading() as session:
        text = "\n".join(report(session, specs=settings.volumes(), default_days=30, now=now))
    mbps = sum(s.bytes for s in closed) * 8 / 6 / 1e6
    assert "local        ok" in text and "Cameras with recordings: 1 of 2" in text
    assert f"{mbps:.2f} Mbps" in text
    assert "public_space       2 cameras" in text and "for its 30 days of retention" in text
    assert "2 cameras at 4 Mbps need" in text
    assert round(need_bytes(469, 4, 30) / 1e12, 1) == 607.8  # 469 × 4 Mbps × 30 days ≈ 608 TB
