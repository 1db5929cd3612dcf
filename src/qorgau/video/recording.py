"""The recording feature of a video worker: a Recorder on the main stream of each of its cameras that records,
continuously or around event triggers (pre-roll from memory, post-roll from the trigger's end).

Every few seconds it re-reads what to do (camera modes, active triggers, writable volumes) in a worker thread and
adjusts: recorders are attached and detached from the event loop; closed segments and volume failures go to the
database through one writer thread, so a reader thread never waits on the database.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import av
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qorgau.core.time import utcnow
from qorgau.video import volumes
from qorgau.video.config import VolumeSpec
from qorgau.video.contracts import CameraConfig, WorkerContext
from qorgau.video.enums import RecordingMode, StreamKind
from qorgau.video.models import RecordTrigger, VolumeStatus
from qorgau.video.recorder import FOREVER, NEVER, Recorder
from qorgau.video.segments import IndexWriter

log = logging.getLogger(__name__)

REFRESH_S = 2.0
FAILED_VOLUME_PAUSE_S = 30.0  # a volume that failed a write is avoided this long, unless a check clears it sooner


@dataclass
class Plan:
    """What the database says now: writable volumes with their room, and each event camera's trigger end."""

    room: dict[str, int] = field(default_factory=dict)
    until: dict[int, datetime] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)  # volumes the storage job has seen (and marked)


def read_plan(session: Session, *, specs: Sequence[VolumeSpec], event_cameras: Sequence[int],
              now: datetime) -> Plan:
    """One read of the volumes and the triggers active now for the cameras in events mode."""
    plan = Plan(room=volumes.writable(session=session, specs=specs),
                known=set(session.scalars(select(VolumeStatus.name))))
    if event_cameras:
        rows = session.execute(
            select(RecordTrigger.device_id, func.max(RecordTrigger.end_at))
            .where(RecordTrigger.device_id.in_(event_cameras), RecordTrigger.start_at <= now,
                   RecordTrigger.end_at > now)
            .group_by(RecordTrigger.device_id)
        )
        plan.until = {device_id: end for device_id, end in rows}
    return plan


class RecordingFeature:
    """Records this worker's cameras per their recording mode."""

    def __init__(self, refresh_s: float = REFRESH_S) -> None:
        self.refresh_s = refresh_s
        self.recorders: dict[int, Recorder] = {}
        self._modes: dict[int, RecordingMode] = {}
        self._room: dict[str, int] = {}
        self._known: set[str] = set()
        self._failed: dict[str, float] = {}  # volume → monotonic time of the failure
        self._specs: dict[str, VolumeSpec] = {}
        self._writer: IndexWriter | None = None

    async def run(self, worker: WorkerContext) -> None:
        settings = worker.settings
        self._specs = {spec.name: spec for spec in settings.volumes()}
        self._writer = IndexWriter(worker.db)
        self._writer.start()
        try:
            while True:
                await self.step(worker)
                await asyncio.sleep(self.refresh_s)
        finally:
            for device_id in list(self.recorders):
                self._detach(worker, device_id, "recording stopped")
            await asyncio.to_thread(self._writer.stop)

    async def step(self, worker: WorkerContext) -> None:
        """Read the plan and bring the attached recorders in line with it."""
        cameras = {cam.device_id: cam for cam in worker.cameras()
                   if cam.recording_mode is not RecordingMode.OFF and cam.main_url}
        events = [cam.device_id for cam in cameras.values() if cam.recording_mode is RecordingMode.EVENTS]
        plan = await asyncio.to_thread(self._read_plan, worker, events)
        self._room, self._known = plan.room, plan.known
        for device_id in [d for d in self.recorders if d not in cameras]:
            self._detach(worker, device_id, "recording off")
        for device_id, cam in cameras.items():
            until = FOREVER if cam.recording_mode is RecordingMode.CONTINUOUS else plan.until.get(device_id, NEVER)
            recorder = self.recorders.get(device_id)
            if recorder is not None and self._modes.get(device_id) is not cam.recording_mode:
                self._detach(worker, device_id, "recording mode changed")
                recorder = None
            if recorder is None:
                recorder = self._recorder(worker, cam, continuous=until is FOREVER)
                try:
                    worker.streams.attach(device_id, StreamKind.MAIN, recorder)
                except Exception:  # the camera left this worker between two reads: the next step sees it
                    log.warning("cannot record camera %s now", cam.code, exc_info=True)
                    continue
                self.recorders[device_id] = recorder
                self._modes[device_id] = cam.recording_mode
            recorder.until = until

    def _read_plan(self, worker: WorkerContext, events: list[int]) -> Plan:
        with worker.db.reading() as session:
            return read_plan(session, specs=list(self._specs.values()), event_cameras=events, now=utcnow())

    def _recorder(self, worker: WorkerContext, cam: CameraConfig, *, continuous: bool) -> Recorder:
        writer = self._writer
        if writer is None:
            raise RuntimeError("the recording feature is not running")
        return Recorder(
            device_id=cam.device_id, code=cam.code, segment_s=worker.settings.video_segment_s,
            pick_volume=lambda: self.pick(cam.volume), on_segment=writer.put, report_failure=self.report_failure,
            pre_roll_s=0.0 if continuous else float(worker.settings.video_pre_roll_s),
            until=FOREVER if continuous else NEVER,
        )

    def _detach(self, worker: WorkerContext, device_id: int, reason: str) -> None:
        recorder = self.recorders.pop(device_id, None)
        if recorder is None:
            return
        worker.streams.detach(device_id, StreamKind.MAIN, recorder)
        recorder.stop(reason)  # closes and indexes the open segment

    def pick(self, preferred: str | None) -> tuple[str, Path] | None:
        """Called from a reader thread: the camera's volume, else the writable one with the most room."""
        now = time.monotonic()
        room = {name: left for name, left in self._room.items()
                if now - self._failed.get(name, -FAILED_VOLUME_PAUSE_S) >= FAILED_VOLUME_PAUSE_S}
        for known in [n for n in room if n in self._known and n in self._specs]:
            # A marked volume without its marker is an empty mount point: never fill the root file system.
            if not (self._specs[known].path / volumes.MARKER).exists():
                del room[known]
        name = volumes.choose(room, preferred)
        return (name, self._specs[name].path) if name is not None and name in self._specs else None

    def report_failure(self, name: str, exc: OSError | av.FFmpegError) -> None:
        """Called from a reader thread: avoid the volume for a while and record its state through the writer."""
        self._failed[name] = time.monotonic()
        spec = self._specs.get(name)
        errno = getattr(exc, "errno", None)
        error = (os.strerror(errno) if isinstance(errno, int) and errno > 0 else type(exc).__name__)[:300]
        if spec is not None and self._writer is not None:
            self._writer.call(lambda session: volumes.report_failure(session=session, spec=spec, error=error))
