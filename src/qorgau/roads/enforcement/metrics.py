"""The violation pipeline on /metrics: per video worker, the tracks handed on by outcome and those dropped on a full
queue. The workers serve no HTTP: each writes its totals to `<data_dir>/violations/figures/worker-N.json`
(``consumer.write_figures``); this collector reads them at scrape time."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)


def figures_dir(data_dir: Path) -> Path:
    """Where the video workers write the pipeline's figures."""
    return data_dir / "violations" / "figures"


def read_figures(folder: Path) -> dict[str, dict[str, Any]]:
    """Every worker's last figures by worker index (as text); unreadable files are skipped and logged."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("worker-*.json")):
        try:
            out[path.stem.removeprefix("worker-")] = dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            log.warning("violation pipeline figures %s could not be read", path, exc_info=True)
    return out


class PipelineCollector(Collector):
    """The violation pipeline's figures of every video worker (register it with the server's registry)."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = figures_dir(data_dir)

    def collect(self) -> Iterator[Metric]:
        tracks = CounterMetricFamily("qorgau_violation_pipeline_tracks",
                                     "Vehicle tracks of enforcement cameras handled, by what came of them "
                                     "(e.g. speed:opened, speed:uncalibrated, red_light:not_red, section:waiting).",
                                     labels=["worker", "outcome"])
        dropped = CounterMetricFamily("qorgau_violation_pipeline_dropped",
                                      "Vehicle tracks dropped because the pipeline's queue was full.",
                                      labels=["worker"])
        waiting = GaugeMetricFamily("qorgau_violation_pipeline_waiting", "Tracks waiting in the pipeline's queue.",
                                    labels=["worker"])
        for worker, figures in read_figures(self.folder).items():
            for outcome, count in sorted((figures.get("outcomes") or {}).items()):
                tracks.add_metric([worker, str(outcome)], float(count))
            dropped.add_metric([worker], float(figures.get("dropped", 0)))
            waiting.add_metric([worker], float(figures.get("waiting", 0)))
        yield from (tracks, dropped, waiting)
