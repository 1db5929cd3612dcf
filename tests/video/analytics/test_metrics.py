"""Video analytics on /metrics: the workers' figures files and the events per rule kind, read at scrape time
through the real app; a worker's figures written by the feature itself; a damaged file does not break a scrape."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.settings import Settings
from qorgau.video.analytics.decode import FrameSlots
from qorgau.video.analytics.feature import AnalyticsFeature
from qorgau.video.analytics.metrics import WorkerFigures, figures_path, read_figures, write_figures
from qorgau.video.analytics.models import AnalyticsEvent
from qorgau.video.analytics.pipeline import Analysis
from tests.video.conftest import add_camera, quick_settings


def _figures(**changes: float) -> WorkerFigures:
    values: dict[str, float] = {"cameras": 3, "frames_decoded": 7500, "frames_analysed": 1500, "frames_dropped": 4,
                                "decode_errors": 1, "detector_runs": 200, "detector_errors": 0,
                                "detector_seconds": 4.0, "updated": time.time() - 2}
    return WorkerFigures(**(values | changes))  # type: ignore[arg-type]


def test_metrics_show_each_workers_analysis_and_the_events_per_rule_kind(client: TestClient, app_db: Database,
                                                                        settings: Settings) -> None:
    analytics = settings.video_dir / "analytics"
    write_figures(analytics, 0, _figures())
    write_figures(analytics, 1, _figures(cameras=0, detector_runs=0, detector_seconds=0.0))
    device_id = add_camera(app_db, "CAM-0001")
    with app_db.unit_of_work() as session:
        session.add_all([AnalyticsEvent(device_id=device_id, rule_name=name, kind=kind, at=utcnow())
                         for name, kind in (("yard", "zone"), ("yard", "zone"), ("stop line", "line"))])
    text = client.get("/metrics").text
    for line in ('qorgau_video_analytics_frames_decoded_total{worker="0"} 7500.0',
                 'qorgau_video_analytics_frames_analysed_total{worker="0"} 1500.0',
                 'qorgau_video_analytics_frames_dropped_total{worker="0"} 4.0',
                 'qorgau_video_analytics_detector_runs_total{worker="0"} 200.0',
                 'qorgau_video_analytics_detector_seconds_total{worker="0"} 4.0',
                 'qorgau_video_analytics_detector_ms_per_run{worker="0"} 20.0',
                 'qorgau_video_analytics_detector_ms_per_run{worker="1"} 0.0',
                 'qorgau_video_analytics_cameras{worker="0"} 3.0',
                 'qorgau_video_analytics_events_total{kind="zone"} 2.0',
                 'qorgau_video_analytics_events_total{kind="line"} 1.0'):
        assert line in text, line
    prefix = 'qorgau_video_analytics_figures_age_seconds{worker="0"}'
    age = next(ln for ln in text.splitlines() if ln.startswith(prefix))
    assert 1.0 <= float(age.split()[-1]) < 60.0


def test_a_damaged_figures_file_is_skipped(tmp_path: Path) -> None:
    write_figures(tmp_path, 0, _figures())
    figures_path(tmp_path, 1).write_text("{not json", encoding="utf-8")
    figures_path(tmp_path, 2).write_text('{"cameras": 1}', encoding="utf-8")  # an older worker's fields
    assert list(read_figures(tmp_path)) == ["0"]
    assert read_figures(tmp_path / "none") == {}


def test_the_feature_publishes_its_totals_for_the_server(tmp_path: Path) -> None:
    class Worker:
        index = 2
        settings = quick_settings(data_dir=tmp_path)

    feature = AnalyticsFeature()
    feature.publish(Worker())  # type: ignore[arg-type]  # not started: nothing to say yet
    assert read_figures(tmp_path / "video" / "analytics") == {}
    feature.slots = FrameSlots(2)
    feature.analysis = Analysis(feature.slots, detector=None, consumers=[])
    feature.analysis.figures.frames, feature.analysis.figures.detector_runs = 10, 4
    feature.slots.dropped[7] = 3
    feature._gone = (250, 1)  # a sink closed earlier: its frames stay in the totals
    feature.publish(Worker())  # type: ignore[arg-type]
    (published,) = read_figures(Worker.settings.video_dir / "analytics").items()
    assert published[0] == "2"
    assert (published[1].frames_decoded, published[1].frames_analysed, published[1].detector_runs,
            published[1].frames_dropped, published[1].decode_errors, published[1].cameras) == (250, 10, 4, 3, 1, 0)
