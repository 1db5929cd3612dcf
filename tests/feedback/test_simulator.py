"""The simulator's residents: each closed simulated incident is considered once, most scores are 4–5."""

from __future__ import annotations

import random
from typing import Any

from qorgau.simulator.api import ApiError
from qorgau.simulator.feedback import PER_ROUND, Residents, pick_score
from qorgau.simulator.stats import Stats
from tests.conftest import run_async


class FakeApi:
    """Answers the few routes the residents use; /api/appeals is missing, as on a tree without appeals."""

    def __init__(self, incidents: list[dict[str, Any]]) -> None:
        self.incidents = incidents
        self.calls: list[tuple[str, str, Any]] = []

    async def get(self, path: str, **params: Any) -> Any:
        self.calls.append(("GET", path, params))
        if path == "/api/appeals":
            raise ApiError("GET", path, 404, "not found")
        return {"items": self.incidents, "next_cursor": None}

    async def post(self, path: str, json: Any = None, *, ok: tuple[int, ...] = ()) -> Any:
        self.calls.append(("POST", path, json))
        if path == "/api/feedback/links":
            return {"token": f"tok{json['incident_id']}"}
        return {"answered": True}


def test_each_subject_is_rated_once_and_only_simulated_ones() -> None:
    incidents = [{"id": i, "simulated": i != 3, "merged_into_id": None} for i in range(1, 31)]
    api = FakeApi(incidents)
    residents = Residents(api, Stats(), seed=5)  # type: ignore[arg-type]
    first = run_async(residents.round())
    assert 0 < first <= PER_ROUND
    total = first
    for _ in range(10):
        total += run_async(residents.round())
    posted = [c for c in api.calls if c[0] == "POST"]
    rated = [c[2]["incident_id"] for c in posted if c[1] in ("/api/feedback/links", "/api/feedback")]
    assert len(rated) == len(set(rated)) == total and 3 not in rated
    assert 0.4 * 29 <= total <= 0.8 * 29  # about RESPONSE_RATE of them
    assert any(c[1].startswith("/api/feedback/t/") for c in posted) and any(c[1] == "/api/feedback" for c in posted)
    assert sum(1 for c in api.calls if c[1] == "/api/appeals") == 1  # tried once, then left alone


def test_scores_are_mostly_satisfied() -> None:
    rng = random.Random(1)
    scores = [pick_score(rng) for _ in range(2000)]
    assert set(scores) == {1, 2, 3, 4, 5}
    assert 0.7 < sum(s >= 4 for s in scores) / len(scores) < 0.86
    assert 0.08 < sum(s <= 2 for s in scores) / len(scores) < 0.16
