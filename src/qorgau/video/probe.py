"""Checks the cameras nobody pulls: each one's sub-stream is opened every ``video_probe_interval_s`` until a frame
arrives, so a camera that is neither recorded nor watched still gets a health verdict from video.

A probe that fails stays attached: the stream keeps retrying with its backoff and the worker's health verdicts
escalate it (degraded, then offline) like any pulled camera; the first frame ends the probe. Healthy probes run at
most ``MAX_PROBES`` at a time, spread over the interval by camera id so they do not all start together.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from qorgau.video.contracts import EncodedPacket, StreamInfo, WorkerContext
from qorgau.video.enums import StreamKind

log = logging.getLogger(__name__)

MAX_PROBES = 8  # probes that have not failed yet, at once
PATIENCE_S = 20.0  # a probe without frames this long counts as failing: it no longer holds one of those places
TICK_S = 1.0
FRAMES = 3  # frames that make a probe a success


class ProbeSink:
    """Counts frames; the feature detaches it once enough arrived."""

    linger = False  # its stream closes as it leaves (unless others watch it), not after the idle time

    def __init__(self) -> None:
        self.frames = 0
        self.failed = False  # the stream ended or failed before enough frames: keep retrying
        self._lock = threading.Lock()

    @property
    def done(self) -> bool:
        return self.frames >= FRAMES

    def start(self, info: StreamInfo) -> None:
        pass

    def packet(self, packet: EncodedPacket) -> None:
        with self._lock:
            self.frames += 1

    def stop(self, reason: str) -> None:
        self.failed = True


class ProbeFeature:
    """Implements ``contracts.Feature``."""

    def __init__(self) -> None:
        self.probes: dict[int, tuple[ProbeSink, float]] = {}  # device id -> (sink, monotonic start)
        self.due: dict[int, float] = {}
        self.completed = 0

    async def run(self, worker: WorkerContext) -> None:
        interval = worker.settings.video_probe_interval_s
        if interval <= 0:
            return
        try:
            while True:
                self.tick(worker, interval, time.monotonic())
                await asyncio.sleep(TICK_S)
        finally:
            for device_id, (sink, _) in list(self.probes.items()):
                worker.streams.detach(device_id, StreamKind.SUB, sink)
            self.probes.clear()

    def tick(self, worker: WorkerContext, interval: float, now: float) -> None:
        """End the probes that saw frames, start the ones that are due (within the concurrency limit)."""
        cameras = {camera.device_id for camera in worker.cameras()}
        for device_id, (sink, _) in list(self.probes.items()):
            if sink.done or device_id not in cameras:
                worker.streams.detach(device_id, StreamKind.SUB, sink)
                del self.probes[device_id]
                self.due[device_id] = now + interval
                self.completed += sink.done
        for device_id in cameras - set(self.due):
            self.due[device_id] = now + (device_id * 7919 % 1000) / 1000 * interval  # spread, stable per camera
        for device_id in [d for d in self.due if d not in cameras]:
            del self.due[device_id]
        healthy = sum(1 for sink, started in self.probes.values()
                      if not sink.failed and now - started < PATIENCE_S)
        for device_id in sorted(cameras - set(self.probes), key=lambda d: self.due[d]):
            if self.due[device_id] > now or healthy >= MAX_PROBES:
                break
            sink = ProbeSink()
            try:
                worker.streams.attach(device_id, StreamKind.SUB, sink)
            except KeyError:
                continue  # left the worker since its list was read
            self.probes[device_id] = (sink, now)
            healthy += 1
