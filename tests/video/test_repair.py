"""Startup repair: a crash's .part finalised and indexed, rows without files removed, files without rows indexed,
unreadable files deleted — and the report says so."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from qorgau.core.db import Database
from qorgau.video import repair, segments, volumes
from qorgau.video.config import VolumeSpec
from qorgau.video.models import Segment
from qorgau.video.recorder import Recorder
from tests.video.rec_packets import T0, add_camera, gray_frames, make_h264, record, source


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_h264(tmp_path_factory.mktemp("clip") / "road.mp4", seconds=8.0, gop=15)


def test_reconcile(db: Database, clip: Path, tmp_path: Path) -> None:
    device_id = add_camera(db)
    spec = VolumeSpec(name="v1", path=tmp_path / "v1", quota_gb=1)
    with db.unit_of_work() as session:
        volumes.check(session=session, specs=[spec], min_free=0)
    first = record(clip, spec.path, device_id=device_id, code="CAM-0001")
    second = record(clip, spec.path, device_id=device_id, code="CAM-0001", wall0=T0 + timedelta(minutes=1))
    with db.unit_of_work() as session:
        for closed in first:
            segments.insert(session=session, closed=closed)  # the second recording's rows were lost
    (spec.path / first[0].path).unlink()  # a row without its file
    junk = spec.path / "CAM-0001/2026/12/07/04/1796616999000.mp4"
    junk.write_bytes(b"not a video")
    # A crash mid-segment: the worker died with a .part open.
    recorder = Recorder(device_id=device_id, code="CAM-0001", segment_s=60, pick_volume=lambda: ("v1", spec.path),
                        on_segment=lambda closed: None)
    with source(clip, wall0=T0 + timedelta(minutes=2)) as src:
        recorder.start(src.info)
        for packet in src.packets[:100]:
            recorder.packet(packet)
    with db.unit_of_work() as session:
        report = repair.reconcile(session=session, specs=[spec], fresh_s=0)
    assert report.rows_removed == [f"v1:{first[0].path}"]
    assert sorted(report.files_indexed) == sorted(
        [f"v1:{s.path}" for s in second] + [item for item in report.parts_finalised])
    assert len(report.parts_finalised) == 1 and report.files_deleted == [f"v1:{junk.relative_to(spec.path)}"]
    assert "1 interrupted segments finalised" in report.summary()
    assert not list(spec.path.rglob("*.part")) and not junk.exists()
    with db.reading() as session:
        rows = session.scalars(select(Segment).order_by(Segment.start_at)).all()
        assert len(rows) == len(first) - 1 + len(second) + 1
        crashed = rows[-1]
        assert crashed.start_at == T0 + timedelta(minutes=2)
        assert 90 <= crashed.frames <= 100  # every complete GOP before the crash
        for row, closed in zip(rows[len(first) - 1:-1], second, strict=True):
            assert (row.start_at, row.frames, row.bytes) == (closed.start_at, closed.frames, closed.bytes)
            assert abs((row.end_at - closed.end_at).total_seconds()) < 0.05
    assert len(gray_frames(spec.path / crashed.path)) == crashed.frames
    with db.unit_of_work() as session:
        again = repair.reconcile(session=session, specs=[spec], fresh_s=0)
    assert again.summary().startswith("0 rows without files removed, 0 files indexed")


def test_files_being_written_are_left_alone(db: Database, clip: Path, tmp_path: Path) -> None:
    device_id = add_camera(db)
    spec = VolumeSpec(name="v1", path=tmp_path / "v1", quota_gb=1)
    with db.unit_of_work() as session:
        volumes.check(session=session, specs=[spec], min_free=0)
    closed = record(clip, spec.path, device_id=device_id, code="CAM-0001")  # its rows still queued
    with db.unit_of_work() as session:
        report = repair.reconcile(session=session, specs=[spec])
    assert report.files_indexed == [] and report.files_deleted == []
    assert all((spec.path / s.path).exists() for s in closed)
