"""The recorder against a real H.264 file: segments by remux that decode to the source's frames."""

from __future__ import annotations

import itertools
import resource
import signal
from datetime import timedelta
from pathlib import Path

import av
import numpy as np
import pytest

from qorgau.video.recorder import NEVER, ClosedSegment, Recorder
from tests.video.rec_packets import T0, gray_frames, make_h264, source


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_h264(tmp_path_factory.mktemp("clip") / "road.mp4", seconds=12.0, gop=15)


def _recorder(root: Path, closed: list[ClosedSegment], **kwargs: object) -> Recorder:
    return Recorder(device_id=1, code="CAM-0001", segment_s=4.0, pick_volume=lambda: ("v1", root),
                    on_segment=closed.append, **kwargs)  # type: ignore[arg-type]


def test_segments_decode_to_the_source_frames(clip: Path, tmp_path: Path) -> None:
    closed: list[ClosedSegment] = []
    recorder = _recorder(tmp_path, closed)
    with source(clip) as src:
        recorder.start(src.info)
        for packet in src.packets:
            recorder.packet(packet)
        recorder.stop("eof")
        total = len(src.packets)
    assert len(closed) == 3
    assert not list(tmp_path.rglob("*.part"))
    assert sum(s.frames for s in closed) == total
    assert closed[0].start_at == T0
    assert closed[0].path == f"CAM-0001/2026/12/07/04/{int(T0.timestamp() * 1000)}.mp4"
    for earlier, later in itertools.pairwise(closed):
        assert earlier.end_at == later.start_at  # contiguous: the end is the last frame plus its duration
    assert closed[-1].end_at - T0 == timedelta(seconds=12)
    source_frames = gray_frames(clip)
    for segment in closed:
        frames = gray_frames(tmp_path / segment.path)
        assert frames[0][0] == 0.0  # each file starts at 0, on a key frame
        assert segment.bytes == (tmp_path / segment.path).stat().st_size
        offset = (segment.start_at - T0).total_seconds()
        # The frame at one second into the segment is the source's frame at that moment.
        at, image = next((t, f) for t, f in frames if t >= 1.0)
        want = next(f for t, f in source_frames if abs(t - (offset + at)) < 1e-3)
        assert float(np.abs(image - want).mean()) < 1.0


def test_a_crash_mid_segment_leaves_a_readable_part_file(clip: Path, tmp_path: Path) -> None:
    closed: list[ClosedSegment] = []
    recorder = _recorder(tmp_path, closed)
    with source(clip) as src:
        recorder.start(src.info)
        for packet in src.packets[:70]:
            recorder.packet(packet)
        # No stop: the process dies here; fragments already on disk hold every complete GOP.
    parts = list(tmp_path.rglob("*.mp4.part"))
    assert len(parts) == 1 and not closed
    with av.open(str(parts[0]), format="mp4") as container:
        assert sum(1 for _ in container.decode(video=0)) >= 60


def test_events_mode_keeps_a_gop_aligned_pre_roll(clip: Path, tmp_path: Path) -> None:
    closed: list[ClosedSegment] = []
    recorder = _recorder(tmp_path, closed, pre_roll_s=2.0, until=NEVER)
    with source(clip) as src:
        recorder.start(src.info)
        for packet in src.packets:
            if packet.wall >= T0 + timedelta(seconds=6) and recorder.until == NEVER:
                recorder.until = T0 + timedelta(seconds=8)  # an alarm at 6 s with 2 s of post-roll
            recorder.packet(packet)
        recorder.stop("eof")
    assert len(closed) == 2  # cut at the first key frame 4 s after the start
    start = (closed[0].start_at - T0).total_seconds()
    assert 3.5 <= start <= 4.0  # the key frame at or before 6 s - 2 s of pre-roll
    assert closed[0].end_at == closed[1].start_at
    assert closed[1].end_at - T0 == timedelta(seconds=8)
    assert gray_frames(tmp_path / closed[0].path)[0][0] == 0.0


def test_a_write_error_closes_the_segment_readable_and_recording_resumes(clip: Path, tmp_path: Path) -> None:
    closed: list[ClosedSegment] = []
    failures: list[str] = []

    def pick() -> tuple[str, Path]:
        return ("v2", tmp_path / "v2") if failures else ("v1", tmp_path / "v1")

    recorder = Recorder(device_id=1, code="CAM-0001", segment_s=4.0, pick_volume=pick,
                        on_segment=closed.append, report_failure=lambda name, exc: failures.append(name),
                        retry_s=1.0)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit is EFBIG, not a signal
    with source(clip) as src:
        recorder.start(src.info)
        for packet in src.packets[:150]:  # the first segment, closed normally at 4 s
            recorder.packet(packet)
        resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, hard))  # the disk "fills" at 150 kB per file
        try:
            for packet in src.packets[150:200]:
                recorder.packet(packet)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            signal.signal(signal.SIGXFSZ, previous)
        for packet in src.packets[200:]:
            recorder.packet(packet)
        recorder.stop("eof")
    assert failures == ["v1"]
    assert [s.volume for s in closed] == ["v1", "v1", "v2", "v2"]
    broken = closed[1]
    with av.open(str(tmp_path / "v1" / broken.path), format="mp4") as container:
        assert sum(1 for _ in container.decode(video=0)) >= 15  # what reached the disk stays readable
    assert closed[2].start_at >= broken.end_at + timedelta(seconds=1)  # retried after retry_s, on another volume
    assert len(gray_frames(tmp_path / "v2" / closed[2].path)) == closed[2].frames


def test_a_reconnect_after_the_clock_stepped_back_keeps_both_recordings_in_order(clip: Path, tmp_path: Path) -> None:
    """Segment times come from the packets' wall (anchored per connection), never the system clock: a reconnect
    whose anchor lands on the same instant as earlier files gets new names and overwrites nothing."""
    closed: list[ClosedSegment] = []
    recorder = _recorder(tmp_path, closed)
    with source(clip) as first, source(clip) as again:
        recorder.start(first.info)
        for packet in first.packets:
            recorder.packet(packet)
        recorder.stop("connection lost")
        recorder.start(again.info)  # the anchor stepped back: the same walls as the first connection
        for packet in again.packets:
            recorder.packet(packet)
        recorder.stop("eof")
    assert len(closed) == 6 and len({s.path for s in closed}) == 6
    assert all((tmp_path / s.path).exists() for s in closed)
    for earlier, later in itertools.pairwise(closed[:3]):
        assert earlier.end_at == later.start_at
    assert closed[3].start_at == closed[0].start_at and closed[3].path != closed[0].path
