"""The simulator's appeals clerk over the real API: its rhythm, points inside districts, a month of history with
answers on time and late, everything marked simulated."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from qorgau.simulator.api import Api, ApiError
from qorgau.simulator.appeals import AKSAI_TIME, AppealClerk, point_in, rate_per_s
from qorgau.simulator.stats import Stats
from tests.conftest import login, make_user
from tests.incidents.conftest import ok


class ClientApi:
    """The two calls the clerk makes, answered by the app in-process (the simulator's Api speaks HTTP)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    async def get(self, path: str, **params: Any) -> Any:
        return self._answer("GET", path, self.client.get(path, params=params), ())

    async def post(self, path: str, json: Any = None, *, ok: tuple[int, ...] = ()) -> Any:
        return self._answer("POST", path, self.client.post(path, json=json or {}), ok)

    @staticmethod
    def _answer(method: str, path: str, response: Any, ok: tuple[int, ...]) -> Any:
        if response.status_code in ok:
            return None
        if response.status_code >= 400:
            raise ApiError(method, path, response.status_code, response.text)
        return response.json()


def test_rhythm_peaks_at_the_evening_reception_and_drops_at_night_and_weekends() -> None:
    monday = datetime(2026, 12, 7, tzinfo=AKSAI_TIME)
    evening, night = rate_per_s(monday.replace(hour=18)), rate_per_s(monday.replace(hour=3))
    saturday = rate_per_s(datetime(2026, 12, 12, 18, tzinfo=AKSAI_TIME))
    assert evening > 20 * night and saturday < evening / 2
    day_total = sum(rate_per_s(monday.replace(hour=h)) * 3600 for h in range(24))
    assert day_total == pytest.approx(6.0)


def test_points_fall_inside_the_polygon_and_outside_its_hole() -> None:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
                                                 [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]]}
    rng = random.Random(3)
    for _ in range(200):
        found = point_in(square, rng)
        assert found is not None
        lon, lat = found
        assert 0 <= lon <= 4 and 0 <= lat <= 4 and not (1 < lon < 3 and 1 < lat < 3)


@pytest.mark.timeout(90)
def test_clerk_files_a_month_of_simulated_history(client: TestClient, app_db: Any) -> None:
    make_user(app_db, "sim", "simulator")
    make_user(app_db, "boss", "supervisor")
    login(client, "sim")
    clerk = AppealClerk(cast(Api, ClientApi(client)), random.Random(7), Stats(), intensity=0.6, history_days=30)
    clerk.districts = ok(client.get("/api/districts"))["districts"]
    now = datetime.now(UTC)
    asyncio.run(clerk.file_history(now))
    filed = clerk.stats.summary()
    login(client, "boss")
    items = ok(client.get("/api/appeals", params={"limit": 500}))["items"]
    assert len(items) >= 40 and all(a["simulated"] for a in items), filed
    answered = [a for a in items if a["state"] == "answered"]
    late = [a for a in answered if a["overdue"]]
    assert late and len(late) < len(answered) / 2
    assert any(a["state"] == "registered" and a["overdue"] for a in items)
    assert all(a["district_id"] is not None and not a["routed_manually"] for a in items)
    rows = ok(client.get("/api/appeals/figures", params={"start": "2020-01-01T00:00:00Z",
                                                         "end": now.isoformat(), "include_simulated": "true"}))
    assert sum(r["received"] for r in rows) == len(items)
    assert ok(client.get("/api/appeals/figures", params={"start": "2020-01-01T00:00:00Z",
                                                         "end": now.isoformat()})) == []
