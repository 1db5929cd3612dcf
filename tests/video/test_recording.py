"""The recording feature with the real stream hub reading a real H.264 file: continuous and on events."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.settings import Settings
from qorgau.video.cameras import load
from qorgau.video.contracts import CameraConfig
from qorgau.video.hub import Hub
from qorgau.video.models import RecordTrigger, Segment, VideoCamera
from qorgau.video.recording import RecordingFeature
from tests.conftest import run_async
from tests.video.conftest import add_camera, alias
from tests.video.rec_packets import gray_frames


@dataclass
class Context:
    settings: Settings
    db: Database
    streams: Hub
    index: int = 0
    count: int = 1
    configs: list[CameraConfig] = field(default_factory=list)

    def cameras(self) -> Sequence[CameraConfig]:
        return self.configs


def _run(settings: Settings, db: Database, seconds: float, *, trigger_after: float | None = None) -> bool:
    """Run the feature for ``seconds``; whether the stream's figures said `recording` before it stopped."""
    hub = Hub(settings)
    with db.reading() as session:
        configs = load(session, settings)
    hub.set_cameras(configs)
    context = Context(settings=settings, db=db, streams=hub, configs=configs)
    feature = RecordingFeature(refresh_s=0.2)
    seen: list[bool] = []

    async def main() -> None:
        task = asyncio.create_task(feature.run(context))  # type: ignore[arg-type]
        if trigger_after is not None:
            await asyncio.sleep(trigger_after)
            with db.unit_of_work() as session:
                now = utcnow()
                session.add(RecordTrigger(device_id=configs[0].device_id, start_at=now - timedelta(seconds=1),
                                          end_at=now + timedelta(seconds=1.5), cause="alarm:1", created_at=now))
        await asyncio.sleep(seconds - (trigger_after or 0))
        seen.append(any(f.recording for f in hub.figures()))
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    try:
        run_async(main())
    finally:
        hub.close(timeout=3)
    return seen == [True]


def _segments(db: Database) -> list[Segment]:
    with db.reading() as session:
        return list(session.scalars(select(Segment).order_by(Segment.start_at)))


def test_continuous_recording_indexes_segments_that_decode(db: Database, settings: Settings,
                                                           clips: dict[str, Path]) -> None:
    add_camera(db, "CAM-0001", main=alias(clips["mp4"], "rec-cont"))
    settings = settings.model_copy(update={"video_segment_s": 2, "video_idle_stop_s": 0.2})
    assert _run(settings, db, 5.0)  # the stream's status says `recording`
    rows = _segments(db)
    assert len(rows) >= 2
    root = settings.volumes()[0].path
    for row in rows:
        assert row.volume == "local" and row.codec == "h264" and (row.width, row.height) == (640, 360)
        assert len(gray_frames(root / row.path)) == row.frames
    assert not list(root.rglob("*.part"))  # the last segment was closed when the feature stopped


def test_events_mode_records_only_around_a_trigger_with_pre_roll(db: Database, settings: Settings,
                                                                 clips: dict[str, Path]) -> None:
    device_id = add_camera(db, "CAM-0001", main=alias(clips["mp4"], "rec-events"))
    with db.unit_of_work() as session:
        session.add(VideoCamera(device_id=device_id, recording_mode="events", privacy_masks=[], updated_at=utcnow()))
    settings = settings.model_copy(update={"video_segment_s": 10, "video_pre_roll_s": 1})
    started = utcnow()
    _run(settings, db, 5.0, trigger_after=2.5)
    rows = _segments(db)
    assert len(rows) == 1
    # The segment starts with the buffered pre-roll (a key frame before the trigger) and ends with it.
    assert started < rows[0].start_at < started + timedelta(seconds=2.5)
    assert 1.5 <= (rows[0].end_at - rows[0].start_at).total_seconds() <= 3.5


def test_a_volume_whose_mount_is_gone_is_not_picked(db: Database, tmp_path: Path) -> None:
    from qorgau.video import volumes
    from qorgau.video.config import VolumeSpec
    from qorgau.video.recording import read_plan

    specs = [VolumeSpec(name="v1", path=tmp_path / "v1", quota_gb=5), VolumeSpec(name="v2", path=tmp_path / "v2",
                                                                                 quota_gb=1)]
    with db.unit_of_work() as session:
        volumes.check(session=session, specs=specs, min_free=0)
    feature = RecordingFeature()
    feature._specs = {spec.name: spec for spec in specs}  # what run() sets from the settings
    with db.reading() as session:
        plan = read_plan(session, specs=specs, event_cameras=[], now=utcnow())
    feature._room, feature._known = plan.room, plan.known  # what step() sets
    assert feature.pick(None) == ("v1", tmp_path / "v1")  # the most room
    (tmp_path / "v1" / volumes.MARKER).unlink()  # unmounted between two checks: an empty mount point
    assert feature.pick("v1") == ("v2", tmp_path / "v2")
    feature.report_failure("v2", OSError(28, "No space left on device"))
    assert feature.pick(None) is None  # nothing writable: the recorder retries later


def test_recording_from_the_rtsp_server_h264_and_h265(db: Database, settings: Settings, tmp_path: Path) -> None:
    """The simulator's RTSP cameras recorded by remux: H.264 as is, H.265 too (the codec kept in the index)."""
    import av

    from tests.video_peers import rtsp_server

    with rtsp_server(tmp_path, {"CAM-R1": ("admin", "secret1"), "CAM-R2": ("admin", "secret2")},
                     h265={"CAM-R2"}) as server:
        add_camera(db, "CAM-R1", main=server.url("CAM-R1"), username="admin", password="secret1")
        add_camera(db, "CAM-R2", main=server.url("CAM-R2"), username="admin", password="secret2", lon=53.0117)
        settings = settings.model_copy(update={"video_segment_s": 2})
        _run(settings, db, 7.0)
    rows = _segments(db)
    codecs = {row.codec for row in rows}
    assert codecs == {"h264", "hevc"}, codecs
    root = settings.volumes()[0].path
    for row in rows:
        with av.open(str(root / row.path), format="mp4") as container:
            stream = container.streams.video[0]
            assert sum(1 for _ in container.decode(stream)) == row.frames
        assert (row.width, row.height) == (1280, 720)
