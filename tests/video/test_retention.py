"""Retention against real segment files: by age per group, by quota oldest first, protections kept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from qorgau.core.db import Database
from qorgau.video import retention, segments
from qorgau.video.config import VolumeSpec
from qorgau.video.enums import ProtectionReason
from qorgau.video.models import CameraGroup, Protection, Segment, VideoCamera
from qorgau.video.recorder import ClosedSegment, Recorder
from tests.video.rec_packets import T0, add_camera, make_h264, record, source


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_h264(tmp_path_factory.mktemp("clip") / "road.mp4", seconds=12.0, gop=15)


def _index(db: Database, closed: list[ClosedSegment]) -> None:
    with db.unit_of_work() as session:
        for item in closed:
            segments.insert(session=session, closed=item)


def _paths(db: Database) -> list[str]:
    with db.reading() as session:
        return list(session.scalars(select(Segment.path).order_by(Segment.start_at)))


def test_quota_deletes_the_oldest_unprotected_first_while_recording_goes_on(
        db: Database, clip: Path, tmp_path: Path) -> None:
    device_id = add_camera(db)
    root = tmp_path / "v1"
    hours = [record(clip, root, device_id=device_id, code="CAM-0001", wall0=T0 + timedelta(hours=h))
             for h in range(3)]
    for closed in hours:
        _index(db, closed)
    per_hour = sum(s.bytes for s in hours[0])
    with db.unit_of_work() as session:  # the oldest hour's middle segment belongs to an incident
        kept = hours[0][1]
        session.add(Protection(device_id=device_id, start_at=kept.start_at, end_at=kept.start_at + timedelta(
            seconds=1), reason=ProtectionReason.INCIDENT.value, ref="INC-1", created_by="user:1", created_at=T0))
    spec = VolumeSpec(name="v1", path=root, quota_gb=(2 * per_hour + 1000) / 1e9)
    # A segment is being written meanwhile: it is not in the index, so retention cannot touch it.
    writing: list[ClosedSegment] = []
    recorder = Recorder(device_id=device_id, code="CAM-0001", segment_s=60, pick_volume=lambda: ("v1", root),
                        on_segment=writing.append)
    with source(clip, wall0=T0 + timedelta(hours=4)) as src:
        recorder.start(src.info)
        for packet in src.packets[:100]:
            recorder.packet(packet)
        with db.unit_of_work() as session:
            deleted = retention.enforce(session=session, specs=[spec], now=T0 + timedelta(hours=5),
                                        default_days=30)
        assert retention.delete_files(deleted) == deleted.by_quota
        for packet in src.packets[100:]:
            recorder.packet(packet)
        recorder.stop("eof")
    assert deleted.by_age == 0
    unprotected = [s for closed in hours for s in closed if s is not kept]
    gone = unprotected[:deleted.by_quota]  # the oldest first, and no more than needed
    total = sum(s.bytes for closed in hours for s in closed)
    assert total - sum(s.bytes for s in gone) <= spec.quota_gb * 1e9
    assert total - sum(s.bytes for s in gone[:-1]) > spec.quota_gb * 1e9
    assert deleted.by_quota >= 3
    left = _paths(db)
    assert left[0] == kept.path  # protected, though oldest
    assert not {s.path for s in gone} & set(left)
    assert not (root / hours[0][0].path).exists() and (root / kept.path).exists()
    assert writing and (root / writing[0].path).exists()


def test_age_follows_the_camera_group(db: Database, clip: Path, tmp_path: Path) -> None:
    device_id = add_camera(db)
    other = add_camera(db, "CAM-0002", east_m=50)
    root = tmp_path / "v1"
    _index(db, record(clip, root, device_id=device_id, code="CAM-0001"))
    _index(db, record(clip, root, device_id=other, code="CAM-0002"))
    with db.unit_of_work() as session:  # CAM-0002 is a school interior camera, kept 3 days here
        session.add(VideoCamera(device_id=other, group_code="school_interior", privacy_masks=[], updated_at=T0))
        group = session.get(CameraGroup, "school_interior")
        assert group is not None
        group.retention_days = 3
    spec = VolumeSpec(name="v1", path=root, quota_gb=10)
    with db.unit_of_work() as session:
        deleted = retention.enforce(session=session, specs=[spec], now=T0 + timedelta(days=5), default_days=30)
    retention.delete_files(deleted)
    assert deleted.by_age == 3
    assert all(path.startswith("CAM-0001/") for path in _paths(db))
    assert not (root / "CAM-0002").exists() or not list((root / "CAM-0002").rglob("*.mp4"))
