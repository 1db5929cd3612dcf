"""The violation pipeline inside a real video worker: the process assembly hands the enforcement consumer to the
analytics feature, a speed camera streams a real highway clip, the shipped detector tracks its vehicles, and each
track that left reaches the opener (uncalibrated here: nothing is opened, and the reason is counted)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from qorgau.core.db import Database
from qorgau.roads.enforcement.consumer import EnforcementConsumer
from qorgau.runtime.video import with_plate_reading
from qorgau.settings import Settings
from qorgau.video.analytics.feature import AnalyticsFeature
from qorgau.video.worker import Worker
from tests.conftest import SHARED
from tests.video.conftest import add_camera, alias, transcode
from tests.video.test_worker import quick, run_for


@pytest.fixture(scope="module")
def highway(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return transcode(SHARED / "data" / "video" / "highway-cctv.avi",
                     tmp_path_factory.mktemp("highway") / "highway.mp4", seconds=6)


@pytest.mark.timeout(90)
def test_a_speed_camera_in_a_real_worker_hands_its_tracks_to_the_opener(
        db: Database, settings: Settings, highway: Path) -> None:
    speed = add_camera(db, "CAM-0201", main=alias(highway, "s1"), sub=alias(highway, "s1s"), purpose="speed")
    [feature] = with_plate_reading([AnalyticsFeature()])
    assert isinstance(feature, AnalyticsFeature)
    worker = Worker(quick(settings, video_recording_mode="off", video_probe_interval_s=0,
                          violation_plate_wait_s=0.0), db, features=[feature])
    asyncio.run(run_for(worker, 7.0))
    analysis = feature.analysis
    assert analysis is not None and speed in analysis.figures.by_camera  # chosen for analysis by its purpose
    assert analysis.figures.consumer_errors == 0
    [consumer] = [c for c in feature.consumers if isinstance(c, EnforcementConsumer)]
    outcomes = consumer.tracks.figures()["outcomes"]
    assert outcomes and set(outcomes) <= {"speed:uncalibrated", "speed:one_picture"}, outcomes
    assert outcomes.get("speed:uncalibrated", 0) >= 1
    written = json.loads((settings.data_dir / "violations" / "figures" / "worker-0.json").read_text())
    assert written["outcomes"] == outcomes and written["dropped"] == 0
