"""The analytics pipeline on real H.264: decode at the analysis rate → motion → detector only on motion → tracker,
broken packets, the bounded hand-off under overload, and the worker feature on a real stream hub."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from qorgau.video.analytics.contracts import AnalysedFrame
from qorgau.video.analytics.decode import DecodedFrame, DecodeSink, FrameSlots, scaled_size
from qorgau.video.analytics.feature import AnalyticsFeature, analysed, load_detector
from qorgau.video.analytics.geometry import anchor
from qorgau.video.analytics.metrics import read_figures
from qorgau.video.analytics.motion import MotionDetector
from qorgau.video.analytics.pipeline import Analysis
from qorgau.video.analytics.snapshot import snapshot_jpeg
from qorgau.video.config import VideoSettings
from qorgau.video.contracts import CameraConfig
from qorgau.video.enums import StreamKind
from qorgau.video.hub import Hub
from tests.conftest import SHARED
from tests.video.analytics.pipeline_media import BlobDetector, Collect, median_background, road_clip, still_clip
from tests.video.conftest import quick_settings, transcode
from tests.video.rec_packets import T0, source
from tests.video.test_source import Collect as CollectPackets

HIGHWAY = SHARED / "data" / "video" / "highway-cctv.avi"


@dataclass
class Media:
    road: Path
    still: Path
    background: np.ndarray[Any, Any]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    folder = tmp_path_factory.mktemp("analytics")
    road = road_clip(folder)
    background = median_background(road)
    return Media(road, still_clip(folder, background), background)


def decode_all(clip: Path, *, fps: float = 5.0, width: int = 640, per_camera: int = 1000) -> tuple[DecodeSink,
                                                                                                   FrameSlots]:
    slots = FrameSlots(per_camera)
    sink = DecodeSink(7, "CAM-0007", fps=fps, width=width, slots=slots)
    with source(clip) as src:
        sink.start(src.info)
        for packet in src.packets:
            sink.packet(packet)
        sink.stop("eof")
    return sink, slots


def drain(slots: FrameSlots) -> Iterator[DecodedFrame]:
    while (frame := slots.take(0)) is not None:
        yield frame


def test_a_road_clip_gives_tracks_with_stable_ids(media: Media) -> None:
    sink, slots = decode_all(media.road)
    assert sink.decoded == 372 and sink.errors == 0
    assert 60 <= sink.kept <= 63  # 12.4 s at 5 fps out of 30
    detector, consumer = BlobDetector(media.background), Collect()
    analysis = Analysis(slots, detector=detector, consumers=[consumer])
    results = [analysis.process(frame) for frame in drain(slots)]
    assert consumer.frames == results and consumer.shapes[0] == (360, 640, 3)
    walls = [r.wall for r in results]
    assert walls == sorted(walls) and walls[0] == T0 and abs((walls[5] - walls[0]).total_seconds() - 1.0) < 0.01
    runs: dict[int, list[AnalysedFrame]] = {}
    for index, result in enumerate(results):
        assert len({t.track_id for t in result.tracks}) == len(result.tracks)
        for track in result.tracks:
            runs.setdefault(track.track_id, []).append(replace(result, tracks=[track], motion=index))
    long = {tid: frames for tid, frames in runs.items() if len(frames) >= 5}
    assert len(long) >= 4, {tid: len(frames) for tid, frames in runs.items()}
    for frames in long.values():
        indices = [int(f.motion) for f in frames]
        assert indices == list(range(indices[0], indices[0] + len(indices)))  # one id, frame after frame
        xs = [(f.tracks[0].box[0] + f.tracks[0].box[2]) / 2 for f in frames]
        assert all(b > a for a, b in itertools.pairwise(xs))  # the traffic goes left to right
        assert frames[0].tracks[0].first_seen == frames[-1].tracks[0].first_seen
    assert analysis.figures.detector_runs < len(results)  # frames without motion did not run it


def test_a_still_picture_never_runs_the_detector(media: Media) -> None:
    sink, slots = decode_all(media.still)
    detector, consumer = BlobDetector(media.background), Collect()
    analysis = Analysis(slots, detector=detector, consumers=[consumer])
    results = [analysis.process(frame) for frame in drain(slots)]
    assert len(results) == sink.kept >= 19
    assert detector.calls == [] and not any(r.detected or r.tracks for r in results)
    assert max(r.motion for r in results) < 0.001


def test_motion_regions_cover_the_moving_car_only(media: Media) -> None:
    _sink, slots = decode_all(media.road)
    motion = MotionDetector()
    detector = BlobDetector(media.background)
    hits = 0
    for frame in drain(slots):
        moved = motion.update(frame.bgr)
        cars = detector.detect(frame.bgr)
        covered = sum(r[2] - r[0] for r in moved.regions) * sum(r[3] - r[1] for r in moved.regions)
        assert covered <= 640 * 360  # never more than the frame
        for car in cars:
            cx, cy = (car.box[0] + car.box[2]) / 2 * 640, (car.box[1] + car.box[3]) / 2 * 360
            hits += any(r[0] <= cx <= r[2] and r[1] <= cy <= r[3] for r in moved.regions)
    assert hits >= 20  # moving cars are inside a motion region


def test_a_lighting_change_resets_the_background_without_running_the_detector(media: Media) -> None:
    analysis = Analysis(FrameSlots(1), detector=BlobDetector(media.background), consumers=[])
    dark = (media.background // 4).astype(np.uint8)  # IR switch or lights off: the whole picture at once
    results = [analysis.process(DecodedFrame(1, "C", T0, frame))
               for frame in [media.background] * 4 + [dark] * 4]
    assert results[4].motion > 0.6 and not results[4].detected and analysis.figures.lighting_changes == 1
    assert all(r.motion == 0 and not r.detected for r in results[5:])  # the dark picture is the background now


def test_broken_packets_are_counted_and_decoding_restarts_at_the_next_key_frame(media: Media) -> None:
    slots = FrameSlots(1000)
    sink = DecodeSink(7, "CAM-0007", fps=5, width=320, slots=slots)
    rng = random.Random(11)
    with source(media.road) as src:
        sink.start(src.info)
        for i, packet in enumerate(src.packets):
            if 100 <= i < 140:  # garbage in the middle of a group of pictures, and a broken key frame
                packet = replace(packet, data=rng.randbytes(len(packet.data)) if i % 2 else packet.data[:20])
            sink.packet(packet)
        keys_after = [p.wall for p in src.packets[140:] if p.keyframe]
    frames = list(drain(slots))
    assert sink.errors >= 1
    assert frames[-1].wall.timestamp() > keys_after[0].timestamp()  # it came back at a key frame
    assert sum(f.wall >= keys_after[0] for f in frames) >= 30 and frames[0].bgr.shape == (180, 320, 3)


def test_while_the_analysis_is_behind_only_key_frames_are_decoded(media: Media) -> None:
    sink, slots = decode_all(media.road, per_camera=1)  # nobody takes the frames: always behind
    assert sink.decoded < 40 and sink.shed >= 10  # of 372: the first frames, then a key frame a second
    assert slots.dropped[7] == sink.kept - 1 and slots.waiting() == 1


def test_the_hand_off_drops_the_oldest_and_counts_it() -> None:
    slots = FrameSlots(2)
    picture = np.zeros((4, 4, 3), np.uint8)
    for i in range(10):
        slots.put(DecodedFrame(1, "A", T0.replace(second=i), picture))
    slots.put(DecodedFrame(2, "B", T0, picture))
    assert slots.dropped == {1: 8} and slots.waiting() == 3
    taken = [slots.take(0) for _ in range(4)]
    assert [(f.device_id, f.wall.second) for f in taken if f] == [(1, 8), (2, 0), (1, 9)] and taken[3] is None
    assert scaled_size(1920, 1080, 640) == (640, 360) and scaled_size(320, 240, 640) == (320, 240)


def test_snapshot_draws_the_boxes(media: Media) -> None:
    data = snapshot_jpeg(media.background, [(0.25, 0.25, 0.75, 0.75)], ["car 91%"])
    picture = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert picture is not None
    assert data[:2] == b"\xff\xd8" and picture.shape == (360, 640, 3)
    edge, inside = picture[180, 160].astype(int), picture[180, 320].astype(int)
    assert edge[2] > 150 and edge[0] < 100  # amber on the box's left edge
    assert np.abs(inside - media.background[180, 320].astype(int)).max() < 30  # the picture inside untouched


class Worker:
    """A ``WorkerContext`` around a real stream hub (no database: the feature does not need one)."""

    index, count, db = 0, 1, None

    def __init__(self, settings: VideoSettings, cameras: list[CameraConfig], *, pace: bool) -> None:
        self.settings = settings
        self._cameras = cameras
        self.streams = Hub(settings, pace_files=pace)
        self.streams.set_cameras(cameras)

    def cameras(self) -> list[CameraConfig]:
        return self._cameras


def run_feature(feature: AnalyticsFeature, worker: Worker, until: Any, timeout: float) -> None:
    async def main() -> None:
        task = asyncio.create_task(feature.run(worker))  # type: ignore[arg-type]
        deadline = asyncio.get_running_loop().time() + timeout
        while not until() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    try:
        asyncio.run(main())
    finally:
        assert worker.streams.close(timeout=3)


@pytest.mark.timeout(40)
def test_the_feature_analyses_the_chosen_cameras_and_a_slow_consumer_never_stalls_the_stream(
        media: Media, caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    settings = quick_settings(video_analytics_queue=2, video_analytics_groups=["city_entry_anpr"],
                              video_analytics_cameras=["CAM-0003"], data_dir=tmp_path)  # its /metrics figures
    road = str(media.road)
    cameras = [CameraConfig(1, "CAM-0001", road, road, group="city_entry_anpr"),
               CameraConfig(2, "CAM-0002", road, road, group="yard"),
               CameraConfig(3, "CAM-0003", road, None, group="yard")]
    assert [c.code for c in analysed(settings, cameras)] == ["CAM-0003", "CAM-0001"]
    limited = settings.model_copy(update={"video_analytics_cameras_limit": 1})
    assert [c.code for c in analysed(limited, cameras)] == ["CAM-0003"]  # named ones first
    worker = Worker(settings, cameras[:1], pace=False)  # the file as fast as it reads: far beyond 5 fps
    recorder = CollectPackets()
    worker.streams.attach(1, StreamKind.SUB, recorder)
    feature = AnalyticsFeature(detector_loader="tests.video.analytics.no_such_module:load",
                               consumers=("tests.video.analytics.pipeline_media:SlowCollect",))
    with caplog.at_level(logging.WARNING):
        run_feature(feature, worker, lambda: feature.slots is not None and sum(feature.slots.dropped.values()) > 5,
                    timeout=20)
    consumer = feature.consumers[0]
    assert isinstance(consumer, Collect) and consumer.closed and consumer.frames
    assert feature.slots is not None and sum(feature.slots.dropped.values()) > 5  # dropped, counted
    assert len(recorder.packets) >= 372  # the reader read the whole clip meanwhile, never waiting
    assert len(consumer.frames) + sum(feature.slots.dropped.values()) <= feature.slots.put_count
    assert not any(f.detected for f in consumer.frames) and "no object detector" in caplog.text
    assert "0" in read_figures(tmp_path / "video" / "analytics")  # its totals, where /metrics reads them


def test_a_detector_that_cannot_load_is_reported_once_with_its_file(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        assert load_detector(VideoSettings(), "tests.video.analytics.test_pipeline:broken_loader") is None
    assert "/models/missing.onnx" in caplog.text


def broken_loader(settings: VideoSettings) -> None:
    raise FileNotFoundError(os.fspath(Path("/models/missing.onnx")))


def test_a_vehicle_that_stops_keeps_its_track(media: Media) -> None:
    _, slots = decode_all(media.road)
    frames = list(drain(slots))
    analysis = Analysis(FrameSlots(1), detector=BlobDetector(media.background), consumers=[])
    before = [analysis.process(frame) for frame in frames[:13]]  # a car drives into the middle of the picture
    car = before[-1].tracks[0]
    stopped = frames[12]
    after = [analysis.process(replace(stopped, wall=stopped.wall + timedelta(seconds=0.2 * k)))
             for k in range(1, 31)]  # and stands there for 6 s
    looked = [r for r in after if r.detected]
    still = after[-10:]  # the background has learned the car: nothing moves, the detector checks once a second
    assert all(r.motion == 0 for r in still) and 2 <= sum(r.detected for r in still) <= 3, [
        (round(r.motion, 4), r.detected) for r in after]
    assert all([t.track_id for t in r.tracks] == [car.track_id] for r in looked)
    assert looked[-1].tracks[0].first_seen == car.first_seen


@pytest.mark.timeout(60)
def test_the_shipped_detector_through_the_pipeline_tracks_highway_traffic(tmp_path: Path) -> None:
    detector = load_detector(VideoSettings())
    assert detector is not None, "the model is set up by `qorgau video model setup` (./run does it)"
    clip = transcode(HIGHWAY, tmp_path / "highway.mp4", seconds=8)
    _, slots = decode_all(clip)
    analysis = Analysis(slots, detector=detector, consumers=[])
    results = [analysis.process(frame) for frame in drain(slots)]
    assert len(results) == 40 and sum(r.detected for r in results) >= 30  # the highway always moves
    paths: dict[int, list[tuple[float, float]]] = {}
    for result in results:
        for track in result.tracks:
            assert track.label in {"car", "bus", "truck", "motorcycle", "person", "bicycle"}
            # Where it stands (what zones and lines test): car, bus and truck are tracked as one object, so a
            # frame where a car is seen only inside a box around it and the car ahead moves its centre, not its wheels.
            paths.setdefault(track.track_id, []).append(anchor(track.box))
    long = [path for path in paths.values() if len(path) >= 10]
    assert len(long) >= 5, {tid: len(path) for tid, path in paths.items()}
    for path in long:  # one vehicle per id: it keeps its direction (the lanes go opposite ways), never reverses
        steps = [(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(path)]
        moving = [s for s in steps if abs(s[0]) + abs(s[1]) > 0.01]
        reversals = sum(1 for a, b in itertools.pairwise(moving) if a[0] * b[0] + a[1] * b[1] < 0)
        assert reversals <= 1, path


def test_a_camera_no_longer_chosen_is_detached_and_forgotten(media: Media, tmp_path: Path) -> None:
    road = str(media.road)
    worker = Worker(quick_settings(video_analytics_groups=["yard"], data_dir=tmp_path),
                    [CameraConfig(4, "CAM-0004", road, road, group="yard")], pace=True)
    feature = AnalyticsFeature()
    feature.slots = FrameSlots(2)
    feature.analysis = Analysis(feature.slots, detector=None, consumers=[])
    try:
        feature.tick(worker)  # type: ignore[arg-type]
        sink = feature.sinks[4]
        source = worker.streams.source(4, StreamKind.SUB)
        assert source is not None and sink in source.sinks()
        worker.settings = worker.settings.model_copy(update={"video_analytics_groups": []})
        feature.tick(worker)  # type: ignore[arg-type]
        assert feature.sinks == {} and sink.closed and sink not in source.sinks()
    finally:
        assert worker.streams.close(timeout=3)


def test_at_a_rate_the_key_frames_meet_only_key_frames_are_decoded(media: Media) -> None:
    sink, slots = decode_all(media.road, fps=1.0)  # a key frame every second in this clip
    frames = list(drain(slots))
    # The first group of pictures is decoded whole (the key frame interval is not known yet), then key frames only.
    assert sink.decoded <= 30 + 14 and len(frames) == sink.kept >= 12 and sink.errors == 0
    gaps = {round((b.wall - a.wall).total_seconds(), 2) for a, b in itertools.pairwise(frames)}
    assert all(0.8 <= gap <= 1.2 for gap in gaps), gaps  # key frames, about one a second


def test_frames_nothing_refers_to_are_not_decoded(tmp_path: Path) -> None:
    clip = transcode(SHARED / "data" / "video" / "road-640x360.avi", tmp_path / "b-frames.mp4", seconds=8,
                     extra=("-bf", "2", "-x264-params", "b-pyramid=none"))  # I B B P B B P …: B-frames unused
    sink, slots = decode_all(clip)
    frames = list(drain(slots))
    assert sink.decoded < 100 and len(frames) == 40 and sink.errors == 0  # of 240: the references only
    assert {round((b.wall - a.wall).total_seconds(), 3) for a, b in itertools.pairwise(frames)} == {0.2}
