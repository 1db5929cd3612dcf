"""One camera stream read with real PyAV: figures, timestamps, sinks that fail, every failure state, prompt stop."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from qorgau.video.contracts import CameraConfig, EncodedPacket, StreamInfo
from qorgau.video.enums import CameraState, StreamKind
from qorgau.video.hub import Hub
from qorgau.video.source import Source
from qorgau.video.timeline import Timeline, credentialed_url, parameter_sets, redacted
from tests.video.conftest import BadCamera, quick_settings, wait_for
from tests.video_peers import RtspServer, rtsp_server


class Collect:
    """A sink that keeps what it gets."""

    def __init__(self) -> None:
        self.infos: list[StreamInfo] = []
        self.packets: list[EncodedPacket] = []
        self.stops: list[str] = []
        self.lock = threading.Lock()

    def start(self, info: StreamInfo) -> None:
        self.infos.append(info)

    def packet(self, packet: EncodedPacket) -> None:
        with self.lock:
            self.packets.append(packet)

    def stop(self, reason: str) -> None:
        self.stops.append(reason)


class Arrivals(Collect):
    """Also notes the wall clock when each packet arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[datetime] = []

    def packet(self, packet: EncodedPacket) -> None:
        with self.lock:
            self.packets.append(packet)
            self.arrived.append(datetime.now(UTC))


class Broken(Collect):
    def packet(self, packet: EncodedPacket) -> None:
        raise RuntimeError("disk on fire")


def camera(url: str | None, **extra: Any) -> CameraConfig:
    return CameraConfig(device_id=7, code="CAM-0007", main_url=url, sub_url=None, **extra)


def states_of(source: Source) -> list[CameraState]:
    seen: list[CameraState] = []
    source.on_state = lambda _s, _prev, current, _detail: seen.append(current)
    return seen


def test_file_stream_opens_with_right_figures_and_repaired_timestamps(clips: dict[str, Path]) -> None:
    source = Source(camera(str(clips["mp4"])), StreamKind.MAIN, quick_settings())
    sink = Collect()
    source.add_sink(sink)
    source.start()
    try:
        wait_for(lambda: len(sink.packets) >= 110, 15, "110 frames")  # past the 3 s clip's end: it loops
        figures = source.figures()
    finally:
        assert source.stop(timeout=3)
    assert figures.state is CameraState.STREAMING
    assert (figures.codec, figures.width, figures.height) == ("h264", 640, 360)
    assert figures.fps_in is not None and 25 <= figures.fps_in <= 35  # paced like a camera, not read flat out
    assert figures.bitrate_kbps is not None and figures.bitrate_kbps > 50
    assert figures.last_frame_at is not None and figures.dropped_packets == 0
    info = sink.infos[0]
    assert info.codec == "h264" and (info.width, info.height) == (640, 360) and info.extradata
    packets = sink.packets
    assert packets[0].keyframe and packets[0].dts == 0
    assert all(b.dts > a.dts for a, b in itertools.pairwise(packets))
    assert all(p.pts >= p.dts for p in packets)
    assert all(b.wall > a.wall for a, b in itertools.pairwise(packets))
    span = (packets[-1].wall - packets[0].wall).total_seconds()
    assert span == pytest.approx(float((packets[-1].pts - packets[0].pts) * info.time_base), abs=1e-3)
    assert sink.stops == ["stopped"]


def test_a_sink_that_raises_is_detached_and_the_others_continue(clips: dict[str, Path]) -> None:
    source = Source(camera(str(clips["mp4"])), StreamKind.MAIN, quick_settings())
    broken, healthy = Broken(), Collect()
    source.add_sink(broken)
    source.add_sink(healthy)
    source.start()
    try:
        wait_for(lambda: len(healthy.packets) >= 20, 10, "frames to the healthy sink")
        assert broken not in source.sinks() and healthy in source.sinks()
    finally:
        source.stop(timeout=3)


def test_a_sink_attached_mid_stream_starts_at_a_key_frame(clips: dict[str, Path]) -> None:
    source = Source(camera(str(clips["mp4"])), StreamKind.MAIN, quick_settings())
    first, late = Collect(), Collect()
    source.add_sink(first)
    source.start()
    try:
        wait_for(lambda: len(first.packets) >= 4, 10, "frames")
        source.add_sink(late)
        wait_for(lambda: len(late.packets) >= 3, 10, "frames to the late sink")
    finally:
        source.stop(timeout=3)
    assert late.infos and late.packets[0].keyframe


def test_a_codec_that_cannot_pass_through_is_unsupported(clips: dict[str, Path]) -> None:
    source = Source(camera(str(clips["mpeg4"])), StreamKind.MAIN, quick_settings())
    seen = states_of(source)
    source.start()
    try:
        wait_for(lambda: CameraState.UNSUPPORTED in seen, 10, "unsupported")
        assert "mpeg4" in (source.figures().error or "")
    finally:
        source.stop(timeout=3)


def test_an_unreachable_camera_backs_off_and_counts_reconnects() -> None:
    source = Source(camera("rtsp://127.0.0.1:9/none"), StreamKind.MAIN, quick_settings(video_backoff_max_s=1.0))
    seen = states_of(source)
    source.start()
    try:
        wait_for(lambda: source.figures().failing_since is not None, 10, "a failure")
        first = source.figures().failing_since
        wait_for(lambda: source.figures().reconnects >= 2, 10, "two reconnects")
        assert source.figures().failing_since == first  # one failure, however many retries
    finally:
        assert source.stop(timeout=3)
    assert CameraState.UNREACHABLE in seen and CameraState.STREAMING not in seen
    assert seen[-1] is CameraState.IDLE


def test_refused_credentials_are_a_state_without_a_reconnect_storm(bad_camera: Callable[..., BadCamera]) -> None:
    server = bad_camera("refuse")
    password = "s3cret/p@ss"
    source = Source(camera(server.url, username="admin", password=password), StreamKind.MAIN, quick_settings())
    seen = states_of(source)
    source.start()
    try:
        wait_for(lambda: CameraState.AUTH_FAILED in seen, 10, "auth_failed")
        asked = len(server.requests)  # one attempt: FFmpeg asks without, then with the credentials
        time.sleep(2.5)  # longer than the backoff limit: a storm would have retried by now
        assert len(server.requests) == asked
        assert password not in (source.figures().error or "") and "s3cret" not in str(source.figures())
        source.update(camera(server.url, username="admin", password="another"))  # new credentials: retried now
        wait_for(lambda: len(server.requests) > asked, 5, "a retry with the new credentials")
    finally:
        assert source.stop(timeout=3)
    assert "Authorization: Basic" in server.requests[-1]


@pytest.mark.timeout(30)  # waits out a connect timeout and a read timeout
def test_a_stream_that_stops_mid_way_is_no_video_and_reopened(clips: dict[str, Path],
                                                              bad_camera: Callable[..., BadCamera]) -> None:
    server = bad_camera("stall", clips["ts"].read_bytes(), stall_bytes=120_000)
    source = Source(camera(server.url), StreamKind.MAIN, quick_settings())
    seen = states_of(source)
    sink = Collect()
    source.add_sink(sink)
    source.start()
    try:
        wait_for(lambda: CameraState.NO_VIDEO in seen, 15, "no_video")
        assert CameraState.STREAMING in seen and sink.packets and sink.stops == ["no video"]
        wait_for(lambda: len(server.requests) >= 2, 10, "a reopen")
    finally:
        assert source.stop(timeout=4)


def test_a_camera_that_never_answers_is_unreachable_and_stop_does_not_hang(
        bad_camera: Callable[..., BadCamera]) -> None:
    server = bad_camera("hang")
    source = Source(camera(server.url), StreamKind.MAIN, quick_settings())
    seen = states_of(source)
    source.start()
    wait_for(lambda: server.requests, 5, "the request")
    started = time.monotonic()
    assert source.stop(timeout=3.5)  # bounded by the connect timeout (2 s)
    assert time.monotonic() - started < 3.5
    assert CameraState.STREAMING not in seen


def test_credentials_are_quoted_into_the_url_and_redacted_out() -> None:
    url = credentialed_url("rtsp://10.0.0.5:554/Streaming/101", "ad min", "p@ss:w/rd")
    assert url == "rtsp://ad%20min:p%40ss%3Aw%2Frd@10.0.0.5:554/Streaming/101"
    assert redacted(url) == "rtsp://10.0.0.5:554/Streaming/101"
    assert credentialed_url("clips/road.mp4", "a", "b") == "clips/road.mp4"


def test_timestamps_that_lie_are_repaired() -> None:
    line = Timeline(Fraction(1, 90000), default_duration=3000)
    placed = [line.place(dts, pts, None, elapsed_s=0.0)[:2] for dts, pts in
              [(90000, 90000), (None, None), (96000, 96000), (93000, 93000), (10**9, 10**9), (10**9 + 3000, None)]]
    dts = [d for d, _ in placed]
    assert dts[0] == 0 and all(b > a for a, b in itertools.pairwise(dts))
    assert dts[4] - dts[3] == 3000  # a jump of hours is stitched on, not kept
    assert all(pts >= d for d, pts in placed)
    gap = Timeline(Fraction(1, 90000), default_duration=3000)
    gap.place(0, 0, 3000, elapsed_s=0)
    assert gap.place(12000, 12000, 3000, elapsed_s=0)[3] == 3  # three frames lost on the way


def test_a_new_sps_is_noticed_in_annex_b_key_frames() -> None:
    sps_a, sps_b, pps, idr = b"\x67\x4d\x40\x1e", b"\x67\x4d\x40\x28", b"\x68\xee", b"\x65\x88"
    frame = b"\x00\x00\x00\x01" + sps_a + b"\x00\x00\x00\x01" + pps + b"\x00\x00\x01" + idr
    assert parameter_sets(frame, "h264") == sps_a
    assert parameter_sets(frame.replace(sps_a, sps_b), "h264") == sps_b
    assert parameter_sets(b"\x00\x00\x00\x10" + idr, "h264") is None  # length-prefixed: not inspected


# -- against the simulator's real RTSP server (GStreamer) -----------------------------------------------------------

CAMERAS = {code: ("admin", f"pw-{code}") for code in ("CAM-R1", "CAM-R2", "CAM-R3", "CAM-R4", "CAM-R5", "CAM-R6")}


@pytest.fixture(scope="module")
def rtsp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RtspServer]:
    with rtsp_server(tmp_path_factory.mktemp("rtsp"), CAMERAS, h265={"CAM-R5"}) as server:
        yield server


def rtsp_camera(server: RtspServer, code: str, password: str | None = None) -> CameraConfig:
    user, right = CAMERAS[code]
    return CameraConfig(device_id=int(code[-1]), code=code, main_url=server.url(code, "main"),
                        sub_url=server.url(code, "sub"), username=user, password=password or right)


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_an_rtsp_camera_streams_over_tcp_and_udp(rtsp: RtspServer, transport: str) -> None:
    source = Source(rtsp_camera(rtsp, "CAM-R1"), StreamKind.SUB, quick_settings(video_rtsp_transport=transport))
    sink = Arrivals()
    source.add_sink(sink)
    source.start()
    try:
        wait_for(lambda: len(sink.packets) >= 40, 15, "frames over RTSP")
        figures = source.figures()
    finally:
        assert source.stop(timeout=3)
    assert (figures.state, figures.codec, figures.width, figures.height) == (CameraState.STREAMING, "h264", 640, 360)
    assert figures.fps_in is not None and figures.fps_in > 10 and (figures.bitrate_kbps or 0) > 0
    assert sink.packets[0].keyframe and all(b.dts > a.dts for a, b in itertools.pairwise(sink.packets))
    # The server's first burst must not stamp frames in the future (a recording's start_at would lie).
    late = max((p.wall - at).total_seconds() for p, at in zip(sink.packets, sink.arrived, strict=True))
    assert late < 0.05


def test_a_dropped_rtsp_stream_comes_back(rtsp: RtspServer) -> None:
    source = Source(rtsp_camera(rtsp, "CAM-R2"), StreamKind.SUB, quick_settings(video_backoff_max_s=1.0))
    seen = states_of(source)
    sink = Collect()
    source.add_sink(sink)
    source.start()
    try:
        wait_for(lambda: len(sink.packets) >= 10, 15, "frames")
        rtsp.drop("CAM-R2", 2)
        wait_for(lambda: source.figures().state is not CameraState.STREAMING, 10, "the drop noticed")
        wait_for(lambda: seen[-1] is CameraState.STREAMING and len(sink.infos) == 2, 20, "streaming again")
    finally:
        assert source.stop(timeout=4)
    assert source.figures().reconnects >= 1 and sink.stops[0] in {"stream ended", "stream failed", "no video"}


def test_a_wrong_rtsp_password_is_auth_failed_until_the_credentials_change(rtsp: RtspServer) -> None:
    source = Source(rtsp_camera(rtsp, "CAM-R3", password="wrong"), StreamKind.MAIN, quick_settings())
    seen = states_of(source)
    source.start()
    try:
        wait_for(lambda: CameraState.AUTH_FAILED in seen, 15, "auth_failed")
        time.sleep(2.5)
        assert seen.count(CameraState.CONNECTING) == 1 and source.figures().reconnects == 0  # no storm
        source.update(rtsp_camera(rtsp, "CAM-R3"))
        wait_for(lambda: seen[-1] is CameraState.STREAMING, 15, "streaming with the right password")
    finally:
        assert source.stop(timeout=4)
    assert "wrong" not in str(source.figures())


@pytest.mark.timeout(40)  # waits out the no-video time and a reopen
def test_a_frozen_rtsp_camera_is_no_video_and_recovers(rtsp: RtspServer) -> None:
    source = Source(rtsp_camera(rtsp, "CAM-R4"), StreamKind.SUB, quick_settings())
    seen = states_of(source)
    source.add_sink(Collect())
    source.start()
    try:
        wait_for(lambda: seen and seen[-1] is CameraState.STREAMING, 15, "streaming")
        rtsp.fault("freeze", "CAM-R4")
        wait_for(lambda: CameraState.NO_VIDEO in seen, 15, "no_video")
        rtsp.fault("restore", "CAM-R4")
        wait_for(lambda: seen[-1] is CameraState.STREAMING, 20, "streaming again")
    finally:
        assert source.stop(timeout=4)


def test_h265_passes_through_and_sinks_share_one_rtsp_connection(rtsp: RtspServer) -> None:
    hub = Hub(quick_settings())
    hub.set_cameras([rtsp_camera(rtsp, "CAM-R5")])
    sinks = [Collect(), Collect(), Collect()]
    try:
        for sink in sinks:
            hub.attach(5, StreamKind.MAIN, sink)
        wait_for(lambda: all(len(s.packets) >= 5 for s in sinks), 20, "frames to every sink")
        assert rtsp.clients("CAM-R5") == 1
        info = hub.info(5, StreamKind.MAIN)
        assert info is not None and info.codec == "hevc" and (info.width, info.height) == (1280, 720)
        assert sinks[0].packets[0].data == sinks[1].packets[0].data or sinks[2].packets  # the same bytes fan out
    finally:
        assert hub.close(timeout=4)


@pytest.mark.timeout(30)
def test_a_resolution_change_mid_stream_starts_the_sinks_anew(clips: dict[str, Path],
                                                              bad_camera: Callable[..., BadCamera]) -> None:
    big, small = clips["ts"].read_bytes(), clips["small_ts"].read_bytes()
    server = bad_camera("stall", [big[:150_000] + small, small], stall_bytes=10**9)
    source = Source(camera(server.url), StreamKind.MAIN, quick_settings(video_no_video_after_s=3.0))
    sink = Collect()
    source.add_sink(sink)
    source.start()
    try:
        wait_for(lambda: len(sink.infos) >= 2, 15, "a second start")
    finally:
        assert source.stop(timeout=4)
    assert [(i.width, i.height) for i in sink.infos[:2]] == [(640, 360), (320, 180)]
    assert sink.stops[0] == "format changed"


def test_garbage_is_unreachable_and_timestamps_that_restart_are_stitched(
        clips: dict[str, Path], bad_camera: Callable[..., BadCamera]) -> None:
    garbage = bad_camera("stall", bytes(range(256)) * 400, stall_bytes=10**9)
    source = Source(camera(garbage.url), StreamKind.MAIN, quick_settings())
    seen = states_of(source)
    source.start()
    try:
        wait_for(lambda: CameraState.UNREACHABLE in seen, 15, "unreachable")
        assert CameraState.STREAMING not in seen
    finally:
        assert source.stop(timeout=4)
    ts = clips["ts"].read_bytes()
    liar = bad_camera("stall", ts[:188 * 800] + ts, stall_bytes=10**9)  # the clock restarts at 0 mid-stream
    source = Source(camera(liar.url), StreamKind.MAIN, quick_settings(video_no_video_after_s=3.0))
    sink = Collect()
    source.add_sink(sink)
    source.start()
    try:
        wait_for(lambda: len(sink.packets) >= 100, 15, "frames from both halves")
    finally:
        assert source.stop(timeout=4)
    assert len(sink.infos) == 1  # the same format: no new start
    assert all(b.dts > a.dts and b.wall > a.wall for a, b in itertools.pairwise(sink.packets))


def test_a_wall_clock_jump_does_not_move_frame_times(clips: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import qorgau.video.source as source_module

    source = Source(camera(str(clips["mp4"])), StreamKind.MAIN, quick_settings())
    sink = Collect()
    source.add_sink(sink)
    source.start()
    try:
        wait_for(lambda: len(sink.packets) >= 10, 10, "frames")

        class Jumped(source_module.datetime):  # type: ignore[name-defined,misc]
            @classmethod
            def now(cls, tz: Any = None) -> Any:
                return super().now(tz) + timedelta(hours=3)

        monkeypatch.setattr(source_module, "datetime", Jumped)
        wait_for(lambda: len(sink.packets) >= 30, 10, "frames after the jump")
    finally:
        assert source.stop(timeout=3)
    steps = [(b.wall - a.wall).total_seconds() for a, b in itertools.pairwise(sink.packets[:30])]
    assert max(steps) < 0.1
