"""The stream hub: one upstream per camera stream however many sinks, idle stop, cameras coming and going."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from qorgau.video.contracts import CameraConfig
from qorgau.video.enums import CameraState, StreamKind
from qorgau.video.hub import Hub, UnknownCamera
from tests.video.conftest import quick_settings, wait_for
from tests.video.test_source import Collect


def cameras(clip: Path) -> list[CameraConfig]:
    return [CameraConfig(device_id=1, code="CAM-0001", main_url=str(clip), sub_url=None),
            CameraConfig(device_id=2, code="CAM-0002", main_url=str(clip), sub_url=str(clip))]


def test_many_sinks_share_one_upstream_and_an_idle_stream_closes(clips: dict[str, Path]) -> None:
    hub = Hub(quick_settings(video_idle_stop_s=0.5))
    hub.set_cameras(cameras(clips["mp4"]))
    a, b = Collect(), Collect()
    try:
        hub.attach(1, StreamKind.MAIN, a)
        source = hub.source(1, StreamKind.MAIN)
        hub.attach(1, StreamKind.MAIN, b)
        assert hub.source(1, StreamKind.MAIN) is source and source is not None and len(source.sinks()) == 2
        wait_for(lambda: a.packets and b.packets, 10, "frames to both sinks")
        info = hub.info(1, StreamKind.MAIN)
        assert info is not None and info.codec == "h264"
        assert hub.source(1, StreamKind.SUB) is None  # nobody asked for the sub-stream: not pulled
        figures = {(f.device_id, f.kind): f for f in hub.figures()}
        assert figures[(1, StreamKind.MAIN)].state is CameraState.STREAMING and figures[(1, StreamKind.MAIN)].sinks == 2
        assert figures[(2, StreamKind.MAIN)].state is CameraState.IDLE and len(figures) == 4
        hub.detach(1, StreamKind.MAIN, a)
        time.sleep(0.8)
        assert hub.source(1, StreamKind.MAIN) is source  # b still watches
        hub.detach(1, StreamKind.MAIN, b)
        hub.attach(1, StreamKind.MAIN, a)  # back within the idle time: the same upstream goes on
        assert hub.source(1, StreamKind.MAIN) is source
        hub.detach(1, StreamKind.MAIN, a)
        wait_for(lambda: hub.source(1, StreamKind.MAIN) is None, 5, "the idle stop")
        wait_for(lambda: not source.running, 5, "the reader to end")
    finally:
        assert hub.close(timeout=3)


def test_a_camera_that_leaves_the_worker_closes_its_streams(clips: dict[str, Path]) -> None:
    hub = Hub(quick_settings())
    hub.set_cameras(cameras(clips["mp4"]))
    sink = Collect()
    try:
        hub.attach(2, StreamKind.SUB, sink)
        wait_for(lambda: sink.packets, 10, "frames")
        hub.set_cameras(cameras(clips["mp4"])[:1])
        wait_for(lambda: sink.stops, 5, "the stream to stop")
        assert hub.source(2, StreamKind.SUB) is None
        with pytest.raises(UnknownCamera):
            hub.attach(2, StreamKind.SUB, sink)
    finally:
        hub.close(timeout=3)


def test_close_stops_every_stream_in_time(clips: dict[str, Path]) -> None:
    hub = Hub(quick_settings())
    hub.set_cameras(cameras(clips["mp4"]))
    sinks = [Collect() for _ in range(3)]
    hub.attach(1, StreamKind.MAIN, sinks[0])
    hub.attach(2, StreamKind.MAIN, sinks[1])
    hub.attach(2, StreamKind.SUB, sinks[2])
    wait_for(lambda: all(s.packets for s in sinks), 10, "frames on three streams")
    started = time.monotonic()
    assert hub.close(timeout=3)
    assert time.monotonic() - started < 1.5
    assert all(s.stops == ["stopped"] for s in sinks)
    with pytest.raises(RuntimeError):
        hub.attach(1, StreamKind.MAIN, sinks[0])


def test_a_sink_that_does_not_linger_lets_its_stream_close_at_once(clips: dict[str, Path]) -> None:
    hub = Hub(quick_settings(video_idle_stop_s=30))
    hub.set_cameras(cameras(clips["mp4"]))
    probe = Collect()
    probe.linger = False  # type: ignore[attr-defined]
    try:
        hub.attach(1, StreamKind.SUB, probe)
        wait_for(lambda: probe.packets, 10, "frames")
        hub.detach(1, StreamKind.SUB, probe)
        wait_for(lambda: hub.source(1, StreamKind.SUB) is None, 3, "the stream closed well before the idle time")
    finally:
        hub.close(timeout=3)
