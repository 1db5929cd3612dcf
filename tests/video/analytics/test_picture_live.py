"""End to end: a video worker analysing a simulated RTSP camera learns its view, reports it degraded (picture
covered) when a scenario covers the lens, and online again once the cover is gone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.settings import Settings
from qorgau.video.analytics import picture_feature
from qorgau.video.analytics.feature import AnalyticsFeature
from qorgau.video.models import PictureReference
from qorgau.video.worker import Worker
from tests.video.conftest import add_camera
from tests.video_peers import rtsp_server

CODE = "CAM-0001"


def changes(db: Database) -> list[tuple[str, str]]:
    with db.sessions() as session:
        return [(e.payload["current"], e.payload["reason"]) for e in session.scalars(
            select(OutboxEvent).where(OutboxEvent.name == "devices.health_changed").order_by(OutboxEvent.seq))]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the SQL is tested on both in test_picture_feature
def test_a_covered_rtsp_camera_goes_degraded_and_back(db: Database, settings: Settings, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(picture_feature, "FLUSH_EVERY_S", 0.5)
    with rtsp_server(tmp_path, {CODE: ("viewer", "secret")}) as cams:
        add_camera(db, CODE, sub=cams.url(CODE, "sub"), purpose="city_entry_anpr", username="viewer",
                   password="secret")
        quick = settings.model_copy(update={
            "video_status_interval_s": 0.5, "video_recording_mode": "off", "video_analytics_fps": 5.0,
            "video_analytics_groups": ["city_entry_anpr"], "video_picture_check_s": 0.5,
            "video_picture_raise_s": 1.5, "video_picture_clear_s": 1.5, "video_picture_learn_s": 2.0,
            "video_probe_interval_s": 0, "shutdown_grace_s": 3})
        feature = AnalyticsFeature(detector_loader="tests.video.analytics.no_such_module:load",
                                   consumers=("qorgau.video.analytics.picture_feature:PictureHealthConsumer",))
        worker = Worker(quick, db, features=[feature])

        async def wait(condition: str, check: Callable[[], bool], timeout: float = 20.0) -> None:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if await asyncio.to_thread(check):
                    return
                await asyncio.sleep(0.3)
            raise AssertionError(f"not within {timeout} s: {condition}; health changes {changes(db)}")

        def learned() -> bool:
            with db.sessions() as session:
                return session.scalar(select(PictureReference.device_id)) is not None

        async def story() -> None:
            stop = asyncio.Event()
            task = asyncio.create_task(worker.run(stop))
            try:
                await wait("reference learned", learned)
                await asyncio.to_thread(cams.play, CODE, "scene-covered")
                await wait("degraded", lambda: ("degraded", "picture_covered") in changes(db))
                await asyncio.to_thread(cams.restore, CODE)
                await wait("online again", lambda: changes(db)[-1] == ("online", "heartbeat"))
            finally:
                stop.set()
                await task

        asyncio.run(story())
    assert [c for c in changes(db) if c[1] != "heartbeat" or c[0] != "online"] == [("degraded", "picture_covered")]
