"""The analytics feature inside a real video worker: registry cameras, the registered consumers (rules, picture
health) on a real database, the shipped detector on a streamed clip."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from qorgau.core.db import Database
from qorgau.settings import Settings
from qorgau.video.analytics.consumers import CONSUMERS
from qorgau.video.analytics.feature import AnalyticsFeature
from qorgau.video.worker import Worker
from tests.conftest import SHARED
from tests.video.conftest import add_camera, alias, transcode
from tests.video.test_worker import quick, run_for


@pytest.fixture(scope="module")
def highway(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return transcode(SHARED / "data" / "video" / "highway-cctv.avi",
                     tmp_path_factory.mktemp("highway") / "highway.mp4", seconds=6)


@pytest.mark.timeout(60)
def test_a_worker_analyses_an_entry_camera_with_every_registered_consumer(
        db: Database, settings: Settings, highway: Path) -> None:
    entry = add_camera(db, "CAM-0101", main=alias(highway, "e1"), sub=alias(highway, "e1s"),
                       purpose="city_entry_anpr")
    yard = add_camera(db, "CAM-0102", main=alias(highway, "y1"), sub=alias(highway, "y1s"), purpose="yard")
    feature = AnalyticsFeature()
    worker = Worker(quick(settings, video_recording_mode="off", video_probe_interval_s=0), db, features=[feature])
    asyncio.run(run_for(worker, 6.0))
    analysis, slots = feature.analysis, feature.slots
    assert analysis is not None and slots is not None
    assert [type(c).__name__ for c in feature.consumers] == [name.split(":")[1] for name in CONSUMERS]
    figures = analysis.figures
    assert set(figures.by_camera) == {entry} and yard not in figures.by_camera  # a yard without rules: not ours
    assert figures.frames >= 10 and figures.detector_runs >= 5
    assert figures.consumer_errors == 0 and figures.detector_errors == 0
    assert feature.sinks == {}  # detached at the stop
