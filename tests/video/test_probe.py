"""The probe feature: cameras nobody pulls are opened briefly in turn; a failing one stays open until it recovers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qorgau.video.contracts import CameraConfig, PacketSink, StreamInfo
from qorgau.video.enums import StreamKind
from qorgau.video.probe import FRAMES, MAX_PROBES, PATIENCE_S, ProbeFeature, ProbeSink


class FakeHub:
    def __init__(self) -> None:
        self.attached: dict[int, PacketSink] = {}
        self.detached: list[int] = []

    def attach(self, device_id: int, kind: StreamKind, sink: PacketSink) -> None:
        assert kind is StreamKind.SUB
        self.attached[device_id] = sink

    def detach(self, device_id: int, kind: StreamKind, sink: PacketSink) -> None:
        assert self.attached.pop(device_id) is sink
        self.detached.append(device_id)

    def info(self, device_id: int, kind: StreamKind) -> StreamInfo | None:
        return None


class FakeWorker:
    def __init__(self, count: int) -> None:
        self.streams = FakeHub()
        self._cameras = [CameraConfig(device_id=i, code=f"CAM-{i:04d}", main_url=f"rtsp://10.0.0.{i}/m",
                                      sub_url=None) for i in range(1, count + 1)]
        self.settings: Any = None
        self.index, self.count, self.db = 0, 1, None

    def cameras(self) -> Sequence[CameraConfig]:
        return self._cameras


def test_probes_run_in_turn_at_most_a_few_at_once_and_a_failing_one_stays() -> None:
    worker = FakeWorker(20)
    feature = ProbeFeature()
    interval = 100.0
    most = 0
    for now in range(101):
        for sink in worker.streams.attached.values():
            assert isinstance(sink, ProbeSink)
            if sink is not worker.streams.attached.get(1):
                sink.frames = FRAMES  # every camera but CAM-0001 delivers frames
        feature.tick(worker, interval, float(now))  # type: ignore[arg-type]
        most = max(most, len(worker.streams.attached))
    assert 1 < most <= MAX_PROBES  # spread over the interval, a few at once at most
    assert set(worker.streams.detached) == set(range(2, 21))  # each probed once within the interval
    assert list(worker.streams.attached) == [1]  # the failing camera stays attached, retrying
    first = worker.streams.attached[1]
    feature.tick(worker, interval, 101.0 + PATIENCE_S)  # type: ignore[arg-type]
    assert worker.streams.attached[1] is first
    assert isinstance(first, ProbeSink)
    first.frames = FRAMES  # it recovered
    feature.tick(worker, interval, 130.0)  # type: ignore[arg-type]
    assert 1 not in worker.streams.attached and feature.completed == 20


def test_the_probe_feature_is_listed_and_a_worker_builds_it() -> None:
    from qorgau.video import features

    assert "qorgau.video.probe:ProbeFeature" in features.FEATURES
    assert any(isinstance(f, ProbeFeature) for f in features.load())
