"""Camera stream status: the `video_camera_status` rows a worker writes, the state-change events, the registry
health verdicts, and the /metrics collector that reads the rows at scrape time.

How the video worker's verdict combines with other health sources (MQTT heartbeats of the same camera, the
registry's supervision): a stream that delivers frames is a heartbeat (``health.seen``, ONLINE, at most every
``SIGHTING_EVERY_S`` per camera); a camera whose pulled streams all fail for ``FAILURE_AFTER_S`` (refused
credentials and unsupported codecs at once) is reported DEGRADED with the reason as detail, and OFFLINE (reason
``silent``: it sends no picture) once the failure has lasted the camera's supervision interval, each once per
failure episode and without refreshing its last-seen time, so the alarm rules on `offline` raise it. A heartbeat
from another source may bring it back ONLINE meanwhile: the last report wins, and video does not repeat itself
within one episode (no flapping). A camera nobody watches or records is not pulled and gets no verdict from video.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from qorgau.core.bus import Context, publish
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.devices import health
from qorgau.devices.enums import Health, HealthReason
from qorgau.devices.models import Device
from qorgau.video.enums import CameraState, StreamKind
from qorgau.video.events import STREAM_STATE_CHANGED, StreamStateChanged
from qorgau.video.models import CameraStatus, VolumeStatus
from qorgau.video.timeline import Figures

log = logging.getLogger(__name__)

SIGHTING_EVERY_S = 30.0
FAILURE_AFTER_S = 30.0
ROW_REFRESH_S = 30.0  # an unchanged status row is rewritten this often, so a stale one shows a dead worker
AT_ONCE = frozenset({CameraState.AUTH_FAILED, CameraState.UNSUPPORTED})


class PictureVerdicts:
    """One worker's cameras whose picture is reported degraded, with the detail: written by the picture checks
    (``analytics.picture_feature``) when their verdict is committed, read at the worker's status flush, whose
    sightings then say degraded, or the next one would bring the camera back online (ADR 0029). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._degraded: dict[int, str] = {}

    def set(self, device_id: int, detail: str | None) -> None:
        """The camera's picture is degraded (``detail`` says how), or good again (None)."""
        with self._lock:
            if detail is None:
                self._degraded.pop(device_id, None)
            else:
                self._degraded[device_id] = detail

    def degraded(self) -> dict[int, str]:
        """A copy: device id → detail of every camera whose picture is degraded now."""
        with self._lock:
            return dict(self._degraded)


@dataclass(frozen=True, slots=True)
class StateChange:
    """One stream's state change, as the reader thread saw it (published at the next status flush)."""

    device_id: int
    code: str
    kind: StreamKind
    previous: CameraState
    current: CameraState
    detail: str | None
    at: datetime
    simulated: bool


def write_rows(session: Session, *, worker: int, figures: Sequence[Figures], now: datetime) -> None:
    """Insert or update the status rows of these streams (one SELECT, then only what changed).

    A row whose figures did not change is only touched every ``ROW_REFRESH_S`` (its ``updated_at`` says the
    worker is alive), so hundreds of idle cameras do not cost hundreds of UPDATEs per flush.
    """
    if not figures:
        return
    ids = sorted({f.device_id for f in figures})
    existing: dict[tuple[int, str], CameraStatus] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in session.scalars(select(CameraStatus).where(CameraStatus.device_id.in_(chunk))):
            existing[(row.device_id, row.stream)] = row
    for f in figures:
        values = {
            "state": f.state.value, "worker": worker, "codec": f.codec, "width": f.width, "height": f.height,
            "fps_in": f.fps_in, "bitrate_kbps": f.bitrate_kbps, "reconnects": f.reconnects,
            "dropped_packets": f.dropped_packets, "last_frame_at": f.last_frame_at, "viewers": f.sinks,
            "recording": f.recording, "error": f.error[:300] if f.error else None, "state_since": f.state_since,
        }
        found = existing.get((f.device_id, f.kind.value))
        if found is None:
            session.add(CameraStatus(device_id=f.device_id, stream=f.kind.value, updated_at=now, **values))
            continue
        if found.state == values["state"]:
            del values["state_since"]  # the same state since the row says (a stream never opened has no time)
        changed = [name for name, value in values.items() if getattr(found, name) != value]
        for name in changed:
            setattr(found, name, values[name])
        if changed or (now - found.updated_at).total_seconds() >= ROW_REFRESH_S:
            found.updated_at = now


class StatusWriter:
    """``write_rows`` for only the streams whose figures changed since this process last wrote them, or whose
    row is due for its ``ROW_REFRESH_S`` touch: idle cameras then cost no query at all."""

    def __init__(self) -> None:
        self._written: dict[tuple[int, StreamKind], tuple[tuple[object, ...], float]] = {}

    def write(self, session: Session, *, worker: int, figures: Sequence[Figures], now: datetime,
              now_mono: float | None = None) -> int:
        """Write what is due; returns how many rows that was."""
        now_mono = time.monotonic() if now_mono is None else now_mono
        due, signatures = [], {}
        for f in figures:
            key = (f.device_id, f.kind)
            signature = (f.state, f.codec, f.width, f.height, f.fps_in, f.bitrate_kbps, f.reconnects,
                         f.dropped_packets, f.last_frame_at, f.sinks, f.recording, f.error)
            last = self._written.get(key)
            if last is not None and last[0] == signature and now_mono - last[1] < ROW_REFRESH_S:
                continue
            due.append(f)
            signatures[key] = signature
        write_rows(session, worker=worker, figures=due, now=now)
        for key, signature in signatures.items():
            self._written[key] = (signature, now_mono)
        return len(due)

    def forget(self) -> None:
        """The last write did not commit: write everything again next time."""
        self._written.clear()


def publish_changes(session: Session, changes: Iterable[StateChange]) -> None:
    for change in changes:
        ctx = Context(actor="system:video", simulated=change.simulated)
        payload = StreamStateChanged(code=change.code, stream=change.kind, previous=change.previous,
                                     current=change.current, detail=change.detail)
        publish(session, STREAM_STATE_CHANGED, subject_id=change.code, payload=payload, ctx=ctx,
                occurred_at=change.at)


@dataclass(frozen=True, slots=True)
class Failure:
    """A camera whose pulled streams all fail."""

    device_id: int
    detail: str
    failing_s: float  # since the worst stream's state began
    at_once: bool  # refused credentials or an unsupported codec: no reason to wait


class HealthJudge:
    """Turns stream figures into registry health reports (see the module's docstring)."""

    def __init__(self) -> None:
        self._sighted: dict[int, float] = {}  # device id -> monotonic time of the last sighting sent
        self.reported: dict[int, Health] = {}  # the level reported in this failure episode

    def verdicts(self, figures: Sequence[Figures], *, now_mono: float | None = None
                 ) -> tuple[list[int], list[Failure]]:
        """(devices to mark seen, failing devices) for this flush."""
        now_mono = time.monotonic() if now_mono is None else now_mono
        now = utcnow()
        by_device: dict[int, list[Figures]] = {}
        for f in figures:
            by_device.setdefault(f.device_id, []).append(f)
        seen, failures = [], []
        for device_id, streams in by_device.items():
            pulled = [f for f in streams if f.state is not CameraState.IDLE]
            if any(f.state is CameraState.STREAMING for f in pulled):
                if self.reported.pop(device_id, None) is not None:
                    self._sighted.pop(device_id, None)  # back: report it at once
                if now_mono - self._sighted.get(device_id, -1e9) >= SIGHTING_EVERY_S:
                    self._sighted[device_id] = now_mono
                    seen.append(device_id)
                continue
            # Failing: in a failed state, or reconnecting after one (the failure goes on across retries).
            failing = [f for f in pulled if f.failing_since is not None]
            if not failing or len(failing) != len(pulled):
                if not pulled:
                    self.reported.pop(device_id, None)  # nobody pulls it any more: no verdict from video
                continue
            worst = min(failing, key=lambda f: f.failing_since or now)
            failures.append(Failure(
                device_id=device_id, at_once=worst.state in AT_ONCE,
                failing_s=max(0.0, (now - (worst.failing_since or now)).total_seconds()),
                detail=("video reconnecting" if worst.state is CameraState.CONNECTING else f"video {worst.state.value}")
                + (f": {worst.error}" if worst.error else "")))
        return seen, failures


def apply_verdicts(session: Session, *, seen: Sequence[int], failures: Sequence[Failure], judge: HealthJudge,
                   now: datetime, pictures: PictureVerdicts | None = None) -> None:
    """Report the verdicts to the registry (its events raise the alarms): streaming is a heartbeat; a failure is
    DEGRADED after ``FAILURE_AFTER_S`` and OFFLINE (reason ``silent``) after the camera's supervision interval,
    each once per failure episode."""
    if not seen and not failures:
        return
    wanted = set(seen) | {f.device_id for f in failures}
    devices = {d.id: d for d in session.scalars(select(Device).where(Device.id.in_(wanted))
                                                 .options(lazyload("*")))}
    degraded = pictures.degraded() if pictures is not None else {}
    sightings = [health.Sighting(device_id=d.id, code=d.code, interval_s=int(health.interval(d).total_seconds()),
                                 status=Health.DEGRADED if d.id in degraded else Health.ONLINE,
                                 detail=degraded.get(d.id))
                 for device_id in seen if (d := devices.get(device_id)) is not None]
    if sightings:
        health.seen(session, sightings, now=now)
    for failure in failures:
        device = devices.get(failure.device_id)
        if device is None:
            continue
        if failure.failing_s >= health.interval(device).total_seconds():
            target, reason = Health.OFFLINE, HealthReason.SILENT
        elif failure.at_once or failure.failing_s >= FAILURE_AFTER_S:
            target, reason = Health.DEGRADED, HealthReason.REPORTED_DEGRADED
        else:
            continue
        already = judge.reported.get(failure.device_id)
        if already is target or (already is Health.OFFLINE and target is Health.DEGRADED):
            continue
        judge.reported[failure.device_id] = target
        health.change(session, device, target, reason, ctx=Context(actor="system:video", simulated=device.simulated),
                      now=now, detail=failure.detail[:200])


class VideoCollector(Collector):
    """Per-camera stream state and figures and per-volume state, read from the status tables at scrape time."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        state = GaugeMetricFamily("qorgau_video_stream_state", "1 for the stream's current state.",
                                  labels=["camera", "stream", "state"])
        fps = GaugeMetricFamily("qorgau_video_stream_fps", "Frames per second received.", labels=["camera", "stream"])
        kbps = GaugeMetricFamily("qorgau_video_stream_bitrate_kbps", "Bitrate received, kbit/s.",
                                 labels=["camera", "stream"])
        reconnects = GaugeMetricFamily("qorgau_video_stream_reconnects", "Reconnects since the worker started.",
                                       labels=["camera", "stream"])
        dropped = GaugeMetricFamily("qorgau_video_stream_dropped_packets", "Corrupt or lost packets since the "
                                    "worker started.", labels=["camera", "stream"])
        age = GaugeMetricFamily("qorgau_video_stream_last_frame_timestamp_seconds", "Wall time of the last frame.",
                                labels=["camera", "stream"])
        viewers = GaugeMetricFamily("qorgau_video_stream_sinks", "Consumers attached (viewers, recorder).",
                                    labels=["camera", "stream"])
        volume_state = GaugeMetricFamily("qorgau_video_volume_state", "1 for the volume's current state.",
                                         labels=["volume", "state"])
        volume_used = GaugeMetricFamily("qorgau_video_volume_used_bytes", "Bytes of recordings.", labels=["volume"])
        volume_quota = GaugeMetricFamily("qorgau_video_volume_quota_bytes", "The volume's quota.", labels=["volume"])
        try:
            with self.db.sessions() as session:
                rows = session.execute(select(Device.code, CameraStatus).join(
                    CameraStatus, CameraStatus.device_id == Device.id)).all()
                volumes = list(session.scalars(select(VolumeStatus)))
        except Exception:
            log.exception("video metrics could not be read")
            return
        for code, row in rows:
            labels = [code, row.stream]
            state.add_metric([code, row.stream, row.state], 1)
            fps.add_metric(labels, row.fps_in or 0.0)
            kbps.add_metric(labels, row.bitrate_kbps or 0.0)
            reconnects.add_metric(labels, row.reconnects or 0)
            dropped.add_metric(labels, row.dropped_packets or 0)
            viewers.add_metric(labels, row.viewers or 0)
            if row.last_frame_at is not None:
                age.add_metric(labels, row.last_frame_at.timestamp())
        for volume in volumes:
            volume_state.add_metric([volume.name, volume.state], 1)
            volume_used.add_metric([volume.name], volume.used_bytes)
            volume_quota.add_metric([volume.name], volume.quota_bytes)
        yield from (state, fps, kbps, reconnects, dropped, age, viewers, volume_state, volume_used, volume_quota)
