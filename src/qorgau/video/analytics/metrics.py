"""Video analytics on /metrics: what each worker's analysis did (frames decoded and analysed, detector runs and
their time, frames dropped, decode errors) and the events raised per rule kind.

The video workers serve no HTTP. Each writes its running totals to a small JSON file in the analytics directory
(beside the thumbnails the server already reads from there) every few seconds; the server's collector reads those
files and counts the events table when /metrics is scraped. Totals run from the worker's start, so Prometheus
sees a counter reset when a worker restarts, as it expects.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from qorgau.core.db import Database
from qorgau.video.analytics.models import AnalyticsEvent

log = logging.getLogger(__name__)

FIGURES_DIR = "figures"  # under the analytics directory: worker-<index>.json


@dataclass(frozen=True, slots=True)
class WorkerFigures:
    """One worker's analysis totals since it started."""

    cameras: int  # analysed now
    frames_decoded: int
    frames_analysed: int
    frames_dropped: int  # the analysis was behind: a camera's oldest waiting frame made room
    decode_errors: int
    detector_runs: int
    detector_errors: int
    detector_seconds: float
    updated: float  # Unix time of the write


def figures_path(analytics_dir: Path, worker: int) -> Path:
    return analytics_dir / FIGURES_DIR / f"worker-{worker}.json"


def write_figures(analytics_dir: Path, worker: int, figures: WorkerFigures) -> None:
    """Replace the worker's figures file (written aside and renamed: a scrape never reads half a file)."""
    path = figures_path(analytics_dir, worker)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(asdict(figures)), encoding="utf-8")
    os.replace(partial, path)


def read_figures(analytics_dir: Path) -> dict[str, WorkerFigures]:
    """Every worker's last figures by worker index (as text); unreadable files are skipped and logged."""
    out: dict[str, WorkerFigures] = {}
    for path in sorted((analytics_dir / FIGURES_DIR).glob("worker-*.json")):
        try:
            out[path.stem.removeprefix("worker-")] = WorkerFigures(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            log.warning("video analytics figures %s could not be read", path, exc_info=True)
    return out


def events_by_kind(db: Database) -> dict[str, int]:
    """Analytics events stored, per rule kind."""
    with db.sessions() as session:
        rows = session.execute(select(AnalyticsEvent.kind, func.count()).group_by(AnalyticsEvent.kind)).all()
    return {str(kind): int(count) for kind, count in rows}


class AnalyticsCollector(Collector):
    """The workers' analysis figures and the events per rule kind, read at scrape time."""

    def __init__(self, db: Database, analytics_dir: Path) -> None:
        self.db = db
        self.analytics_dir = analytics_dir

    def collect(self) -> Iterator[Metric]:
        yield from worker_metrics(read_figures(self.analytics_dir), now=time.time())
        events = CounterMetricFamily("qorgau_video_analytics_events", "Analytics events raised, per rule kind.",
                                     labels=["kind"])
        try:
            counts = events_by_kind(self.db)
        except Exception:
            log.exception("video analytics events could not be counted")
            return
        for kind, count in sorted(counts.items()):
            events.add_metric([kind], count)
        yield events


def worker_metrics(figures: Mapping[str, WorkerFigures], *, now: float) -> Iterator[Metric]:
    """The metric families of the workers' figures."""
    counters = {
        "frames_decoded": "Frames decoded from the cameras' sub-streams.",
        "frames_analysed": "Frames analysed (motion, and the detector where there was motion).",
        "frames_dropped": "Frames dropped because the analysis was behind.",
        "decode_errors": "Packets that failed to decode (decoding restarted at the next key frame).",
        "detector_runs": "Times the object detector ran.",
        "detector_errors": "Times the object detector failed on a frame.",
        "detector_seconds": "Time spent in the object detector.",
    }
    families = {name: CounterMetricFamily(f"qorgau_video_analytics_{name}", text, labels=["worker"])
                for name, text in counters.items()}
    cameras = GaugeMetricFamily("qorgau_video_analytics_cameras", "Cameras analysed now.", labels=["worker"])
    per_run = GaugeMetricFamily("qorgau_video_analytics_detector_ms_per_run",
                                "Mean milliseconds per detector run since the worker started.", labels=["worker"])
    age = GaugeMetricFamily("qorgau_video_analytics_figures_age_seconds",
                            "Seconds since the worker last wrote its figures (a large value: it is not running).",
                            labels=["worker"])
    for worker, f in figures.items():
        for name, family in families.items():
            family.add_metric([worker], float(getattr(f, name)))
        cameras.add_metric([worker], f.cameras)
        per_run.add_metric([worker], 1000 * f.detector_seconds / f.detector_runs if f.detector_runs else 0.0)
        age.add_metric([worker], max(0.0, now - f.updated))
    yield from (*families.values(), cameras, per_run, age)
