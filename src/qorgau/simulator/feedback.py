"""Residents' feedback for the simulation: after a simulated incident is closed or a simulated appeal answered,
some residents rate how they were served — most of them 4–5, a few 1–2 — so the Service-model desk is alive.

Most answers come the way a real resident's would: the simulator asks for a one-time link (as the inspector's
SMS would carry it) and answers on the public, login-free route; some are entered by an officer, as after a
reception. Only the HTTP API is used, and only the simulator's own (simulated) incidents and appeals are touched.
Appeals are read from `/api/appeals` when that domain answers and the simulator's role may read them
(`appeals:read`); otherwise only incidents are rated.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from typing import Any

from qorgau.simulator.api import Api, ApiError
from qorgau.simulator.stats import Stats

log = logging.getLogger(__name__)
POLL_S = 30.0  # how often closed incidents and answered appeals are looked for
PER_ROUND = 8  # answers a round at most: the public route allows 20 requests a minute per address
RESPONSE_RATE = 0.6  # residents who answer at all
OFFICER_SHARE = 0.2  # of those, answers entered by an officer instead of through the link
SCORES = ((5, 0.48), (4, 0.3), (3, 0.1), (2, 0.07), (1, 0.05))
COMMENTS = {
    5: ("Рақмет, тез келді!", "Спасибо участковому, всё решили быстро.", "Вежливо и по делу."),
    4: ("В целом хорошо, но ждали долго.", "Жақсы, бірақ сәл кешікті."),
    3: ("Нормально.", "Ответ формальный."),
    2: ("Долго ждали, проблема осталась.", "Жауап толық емес."),
    1: ("Никто не приехал вовремя.", "Мәселе шешілмеді."),
}


def pick_score(rng: random.Random) -> int:
    """A resident's score: mostly 4–5, some 1–2."""
    return rng.choices([s for s, _ in SCORES], weights=[w for _, w in SCORES])[0]


@dataclass
class Residents:
    """Rates closed simulated incidents and answered simulated appeals, each once, some never."""

    api: Api
    stats: Stats
    seed: int = 1
    poll_s: float = POLL_S
    _rng: random.Random = field(init=False)
    _seen: set[tuple[str, int]] = field(default_factory=set)
    _appeals: bool = True  # False once /api/appeals turned out not to list anything

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed * 7919 + 13)

    async def run(self) -> None:
        while True:
            try:
                await self.round()
            except ApiError as exc:
                self.stats["http"].fail(str(exc))
                log.warning("feedback round failed: %s", exc)
            await asyncio.sleep(self.poll_s)

    async def _subjects(self) -> list[tuple[str, int]]:
        """Closed simulated incidents and answered simulated appeals not yet considered."""
        found: list[tuple[str, int]] = []
        page = await self.api.get("/api/incidents", state="closed", limit=200)
        found += [("incident", int(i["id"])) for i in page["items"]
                  if i.get("simulated") and i.get("merged_into_id") is None]
        if self._appeals:
            try:
                answered = await self.api.get("/api/appeals", state="answered", simulated=True, limit=200)
            except ApiError as exc:
                if exc.status not in (403, 404, 405, 422):
                    raise
                # No appeals domain, or the simulator's role may not read appeals: incidents only.
                self._appeals = False
            else:
                items = answered.get("items", []) if isinstance(answered, dict) else []
                found += [("appeal", int(a["id"])) for a in items if a.get("simulated", True)]
        return [s for s in found if s not in self._seen]

    async def round(self) -> int:
        """One pass: rate up to PER_ROUND new subjects; returns how many answers were given."""
        given = 0
        for kind, subject_id in await self._subjects():
            if given >= PER_ROUND:
                break
            self._seen.add((kind, subject_id))
            if self._rng.random() >= RESPONSE_RATE:
                continue  # this resident never answers
            given += await self._answer(kind, subject_id)
        return given

    async def _answer(self, kind: str, subject_id: int) -> int:
        subject = {f"{kind}_id": subject_id}
        score = pick_score(self._rng)
        comment = self._rng.choice(COMMENTS[score]) if self._rng.random() < 0.5 else None
        body: dict[str, Any] = {"score": score, "comment": comment}
        if self._rng.random() < OFFICER_SHARE:
            answer = await self.api.post("/api/feedback", {**subject, **body}, ok=(404, 409))
        else:
            link = await self.api.post("/api/feedback/links", subject, ok=(404, 409))
            if link is None:
                return 0
            answer = await self.api.post(f"/api/feedback/t/{link['token']}", body, ok=(409, 429))
        if answer is None:
            return 0
        self.stats["http"].ok()
        self.stats.count("feedback")
        return 1
