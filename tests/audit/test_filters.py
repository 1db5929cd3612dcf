"""The audit view answers "who looked at camera X yesterday between 14:00 and 15:00": filters by target, actor,
time and action prefix, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qorgau.audit import service
from qorgau.audit.service import Actor
from qorgau.core.db import Database
from tests.conftest import login, make_user

DAY = datetime(2026, 12, 6, tzinfo=UTC)


def _at(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    monkeypatch.setattr(service, "utcnow", lambda: when)


def _views(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    anna, bolat = Actor("user:101", "anna"), Actor("user:102", "bolat")
    entries: list[tuple[datetime, Actor, str, str]] = [
        (DAY.replace(hour=13, minute=59), anna, "video.live", "CAM-0001"),
        (DAY.replace(hour=14, minute=10), anna, "video.live", "CAM-0001"),
        (DAY.replace(hour=14, minute=30), bolat, "video.playback", "CAM-0001"),
        (DAY.replace(hour=14, minute=40), bolat, "video.live", "CAM-0002"),
        (DAY.replace(hour=14, minute=45), bolat, "videox.other", "CAM-0001"),
        (DAY.replace(hour=15), anna, "video.export", "CAM-0001"),
    ]
    for when, actor, action, code in entries:
        _at(monkeypatch, when)
        with db.unit_of_work() as session:
            service.record(session, action=action, actor=actor, target_type="camera", target_id=code,
                           details={"from": when.isoformat()})
    monkeypatch.undo()


def test_page_filters_by_target_time_and_action_prefix(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    _views(db, monkeypatch)
    with db.reading() as session:
        rows = service.page(session, after_seq=None, limit=50, target="CAM-0001", action_prefix="video.",
                            at_from=DAY.replace(hour=14), at_to=DAY.replace(hour=15))
        assert [(r.actor_name, r.action) for r in rows] == [("bolat", "video.playback"), ("anna", "video.live")]
        # the prefix is literal: `_` and `%` are not wildcards
        assert service.page(session, after_seq=None, limit=50, action_prefix="video%") == []
        by_actor = service.page(session, after_seq=None, limit=50, actor="user:102", target_type="camera")
        assert [r.target_id for r in by_actor] == ["CAM-0001", "CAM-0002", "CAM-0001"]


def _get(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/audit", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_who_looked_at_a_camera_in_an_hour(
    client: TestClient, app_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(app_db, "auditor1", "auditor")
    _views(app_db, monkeypatch)
    login(client, "auditor1")
    hour = {"target": "CAM-0001", "action_prefix": "video.", "from": "2026-12-06T14:00:00Z",
            "to": "2026-12-06T15:00:00Z"}
    assert [(r["actor_name"], r["action"]) for r in _get(client, **hour)] == [
        ("bolat", "video.playback"), ("anna", "video.live")]
    # a time without an offset is UTC, as stored
    naive = dict(hour, **{"from": "2026-12-06T14:00:00", "to": "2026-12-06T15:00:00"})
    assert len(_get(client, **naive)) == 2
    # paging keeps the filters
    first = client.get("/api/audit", params=dict(hour, limit=1)).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    rest = _get(client, **dict(hour, cursor=first["next_cursor"]))
    assert [r["actor_name"] for r in first["items"] + rest] == ["bolat", "anna"]
    assert {r["target_id"] for r in _get(client, actor="user:102", target_type="camera")} == {"CAM-0001", "CAM-0002"}
    # an offset is honoured: 19:00 in Aqtobe (UTC+5) is 14:00 UTC
    local = dict(hour, **{"from": "2026-12-06T19:00:00+05:00", "to": "2026-12-06T20:00:00+05:00"})
    assert len(_get(client, **local)) == 2
    assert client.get("/api/audit", params={"from": "yesterday"}).status_code == 422
    # nothing older than the window leaks in
    assert all(datetime.fromisoformat(r["at"]) >= DAY.replace(hour=14) - timedelta(0) for r in _get(client, **hour))


def test_range_filter_finds_views_and_footage_that_overlap_the_hour(
    client: TestClient, app_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Live views are recorded when they end, playbacks when opened: their own from/to range is what counts."""
    anna, bolat = Actor("user:101", "anna"), Actor("user:102", "bolat")
    hour = DAY.replace(hour=14)
    entries = [  # (recorded at, who, action, range from, range to)
        (hour + timedelta(minutes=10), anna, "video.live", hour - timedelta(minutes=10), hour + timedelta(minutes=10)),
        (hour + timedelta(hours=2), bolat, "video.playback", hour + timedelta(minutes=30),
         hour + timedelta(minutes=35)),
        (hour + timedelta(minutes=70), bolat, "video.live", hour + timedelta(minutes=50),
         hour + timedelta(minutes=70)),
        (hour + timedelta(minutes=100), anna, "video.export", hour + timedelta(hours=1), hour + timedelta(minutes=90)),
        (hour - timedelta(minutes=5), anna, "video.live", hour - timedelta(minutes=30), hour),
    ]
    for when, actor, action, start, end in entries:
        _at(monkeypatch, when)
        with app_db.unit_of_work() as session:
            service.record(session, action=action, actor=actor, target_type="camera", target_id="CAM-0001",
                           details={"from": start.isoformat(), "to": end.isoformat()})
    monkeypatch.undo()
    make_user(app_db, "auditor1", "auditor")
    login(client, "auditor1")
    found = _get(client, target="CAM-0001", action_prefix="video.", range_from="2026-12-06T14:00:00Z",
                 range_to="2026-12-06T15:00:00Z")
    assert [(r["actor_name"], r["action"]) for r in found] == [  # newest record first
        ("bolat", "video.live"), ("bolat", "video.playback"), ("anna", "video.live")]
