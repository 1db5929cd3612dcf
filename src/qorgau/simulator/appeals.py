"""Residents' appeals for the simulation: filed through the API with a daily rhythm, answered by a simulated
inspector (most on time, some late) so the Appeals desk and the reports have a life of their own.

Appeals come in at the inspectors' evening reception and during office hours, rarely at night, and far fewer at
weekends. When the books are empty a month of history is filed first (backdated registrations, answers on time,
late or still open), because a real deadline is three weeks away and a demo lasts an hour. Only the HTTP API is
used; every appeal is marked simulated, which is all the simulator's role may write.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from qorgau.simulator.api import Api, ApiError
from qorgau.simulator.stats import Stats

log = logging.getLogger(__name__)
AKSAI_TIME = ZoneInfo("Asia/Oral")
PER_DAY = 6.0  # appeals a working day in a town of ~40,000 (intensity scales it)
WEEKEND_FACTOR = 0.25
# Hour 0 … 23 local: office hours, then the evening reception (17:00–20:00) as the peak, little at night.
_HOURLY = (0.05, 0.02, 0.02, 0.02, 0.02, 0.05, 0.1, 0.3, 0.8, 1.2, 1.3, 1.3, 1.0, 1.1, 1.2, 1.2, 1.3, 2.6, 3.0,
           2.8, 1.4, 0.6, 0.3, 0.1)
HOURLY = tuple(v * 24 / sum(_HOURLY) for v in _HOURLY)
CHANNELS = (("reception", 0.35), ("phone", 0.2), ("online", 0.15), ("102", 0.1), ("eotinish", 0.2))
SUBJECTS = (("noise", 0.2), ("neighbours", 0.14), ("domestic", 0.1), ("road_safety", 0.08), ("lighting", 0.06),
            ("stray_animals", 0.08), ("drugs", 0.03), ("alcohol_sale", 0.04), ("youth", 0.06), ("fraud", 0.07),
            ("parking", 0.06), ("public_order", 0.05), ("other", 0.03))
SURNAMES = ("Ахметов", "Сапарова", "Иванов", "Нурланова", "Жумабаев", "Петрова", "Касымов", "Ержанова",
            "Сериков", "Ким", "Мухамедиева", "Оспанов")
INITIALS = "АБГДЕЖЗИКЛМНОРСТ"
TEXTS = {
    "noise": "Соседи шумят после 23:00, просим принять меры.",
    "neighbours": "Конфликт с соседом из-за парковки у подъезда.",
    "domestic": "Прошу провести беседу с родственником, который злоупотребляет алкоголем.",
    "road_safety": "Автомобили превышают скорость у школы, нужен пешеходный переход.",
    "lighting": "Көше шамдары жанбайды, кешке қараңғы.",
    "stray_animals": "Во дворе стая безнадзорных собак.",
    "drugs": "Подозрительные закладки у гаражей.",
    "alcohol_sale": "Магазин продаёт алкоголь ночью и несовершеннолетним.",
    "youth": "Жасөспірімдер кешке подъезде жиналып, шу шығарады.",
    "fraud": "Звонили от имени банка, просили код из SMS.",
    "parking": "Машины стоят на газоне и перекрывают проезд.",
    "public_order": "Распитие спиртного на детской площадке.",
    "other": "Прошу разъяснить порядок получения справки.",
}
ANSWERS = ("Проведена профилактическая беседа, нарушений не выявлено.",
           "Составлен административный протокол, заявитель уведомлён.",
           "Өтініш бойынша тексеру жүргізілді, жауап жолданды.",
           "Информация направлена в акимат для принятия мер.")


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def rate_per_s(local: datetime, intensity: float = 1.0) -> float:
    """Appeals a second at this local hour and weekday."""
    per_day = PER_DAY * (WEEKEND_FACTOR if local.weekday() >= 5 else 1.0)
    return intensity * per_day * HOURLY[local.hour] / 86_400.0


def _inside(ring: list[list[float]], lon: float, lat: float) -> bool:
    """Even-odd rule on one ring of (lon, lat) points."""
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    coords = geometry["coordinates"]
    return [coords] if geometry["type"] == "Polygon" else list(coords)


def point_in(geometry: dict[str, Any], rng: random.Random, tries: int = 200) -> tuple[float, float] | None:
    """A random point inside a (Multi)Polygon (holes respected), or None when the sampling misses."""
    polygons = _polygons(geometry)
    lons = [p[0] for poly in polygons for p in poly[0]]
    lats = [p[1] for poly in polygons for p in poly[0]]
    for _ in range(tries):
        lon, lat = rng.uniform(min(lons), max(lons)), rng.uniform(min(lats), max(lats))
        if any(_inside(poly[0], lon, lat) and not any(_inside(h, lon, lat) for h in poly[1:]) for poly in polygons):
            return lon, lat
    return None


@dataclass
class AppealClerk:
    """Files simulated appeals at the town's rhythm and answers them as the district's inspector would."""

    api: Api
    rng: random.Random
    stats: Stats
    intensity: float = 1.0
    history_days: int = 30
    answer_after_s: tuple[float, float] = (600.0, 3600.0)  # a live appeal is answered this long after filing
    every_s: float = 60.0
    districts: list[dict[str, Any]] = field(default_factory=list)
    since: datetime | None = None  # no history before the districts took effect (appeals route by them)
    _pending: set[asyncio.Task[None]] = field(default_factory=set)  # answers to come (kept so none is collected)

    async def run(self) -> None:
        try:
            in_force = await self.api.get("/api/districts")
        except ApiError as exc:
            log.info("appeals: no districts to file appeals in (%s)", exc)
            return
        self.districts = in_force["districts"]
        self.since = datetime.fromisoformat(str(in_force["valid_from"]).replace("Z", "+00:00"))
        now = datetime.now(UTC)
        first = await self._file_live(now)
        # The simulator may not read appeals, but the number of the one just filed tells whether the books were
        # empty (its year's first): only then is a month of history filed, so that a restart adds none.
        if first is not None and first["number"].endswith("-000001"):
            await self.file_history(now)
        while True:
            now = datetime.now(UTC)
            expected = rate_per_s(now.astimezone(AKSAI_TIME), self.intensity) * self.every_s
            for _ in range(self._poisson(expected)):
                await self._file_live(now)
            await asyncio.sleep(self.every_s)

    def _poisson(self, mean: float) -> int:
        """Knuth's method: fine for the small means of one interval."""
        limit, count, product = pow(2.718281828459045, -mean), 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    def body(self, at: datetime) -> dict[str, Any] | None:
        """A new appeal registered at ``at``: a random district, a point in it, channel, subject and text."""
        if not self.districts:
            return None
        district = self.rng.choice(self.districts)
        point = point_in(district["geometry"], self.rng)
        if point is None:
            return None
        subject = _weighted(self.rng, SUBJECTS)
        name = f"{self.rng.choice(SURNAMES)} {self.rng.choice(INITIALS)}. {self.rng.choice(INITIALS)}."
        return {"channel": _weighted(self.rng, CHANNELS), "applicant_name": name,
                "applicant_contact": f"+7 705 {self.rng.randrange(100, 999)} {self.rng.randrange(10, 99)} "
                                     f"{self.rng.randrange(10, 99)}",
                "address": f"Аксай, {district['name_ru']}", "lon": point[0], "lat": point[1], "subject": subject,
                "text": TEXTS[subject], "registered_at": at.isoformat(), "simulated": True}

    async def file(self, at: datetime) -> dict[str, Any] | None:
        body = self.body(at)
        if body is None:
            return None
        created: dict[str, Any] = await self.api.post("/api/appeals", body)
        self.stats.count("appeal-filed")
        return created

    async def answer(self, appeal_id: int, at: datetime) -> None:
        await self.api.post(f"/api/appeals/{appeal_id}/actions",
                            {"action": "answer", "answer": self.rng.choice(ANSWERS), "answered_at": at.isoformat()},
                            ok=(409,))
        self.stats.count("appeal-answered")

    async def file_history(self, now: datetime) -> None:
        """A month of appeals already in the books: about 70 % answered on time, 15 % late, the rest open."""
        day = max(now - timedelta(days=self.history_days), self.since or now - timedelta(days=self.history_days))
        while day < now - timedelta(hours=1):
            local = day.astimezone(AKSAI_TIME)
            # At the real pace whatever the run's intensity: history is for realism, not load (a load run at 40×
            # would otherwise file thousands of backdated appeals before its first live one).
            if self.rng.random() < rate_per_s(local, min(self.intensity, 1.0)) * 3600:
                try:
                    await self._file_past(day, now)
                except ApiError as exc:
                    log.warning("appeals: %s", exc)
            day += timedelta(hours=1)

    async def _file_past(self, at: datetime, now: datetime) -> None:
        created = await self.file(at)
        if created is None:
            return
        deadline = datetime.fromisoformat(created["deadline"]).replace(tzinfo=AKSAI_TIME)
        roll = self.rng.random()
        if roll < 0.7:  # on time: somewhere between filing and the deadline's evening
            when = at + (min(deadline + timedelta(hours=18), now) - at) * self.rng.uniform(0.2, 0.95)
        elif roll < 0.85:  # late: a few days after the deadline
            when = deadline + timedelta(days=1 + self.rng.uniform(0, 4))
        else:
            return
        if when < now:
            await self.answer(created["id"], when)

    async def _file_live(self, now: datetime) -> dict[str, Any] | None:
        """File one appeal now; most are answered by the simulated inspector a while later."""
        try:
            created = await self.file(now)
        except ApiError as exc:
            log.warning("appeals: %s", exc)
            return None
        if created is not None and self.rng.random() < 0.9:
            task = asyncio.create_task(self._answer_later(created["id"], self.rng.uniform(*self.answer_after_s)))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
        return created

    async def _answer_later(self, appeal_id: int, after_s: float) -> None:
        await asyncio.sleep(after_s)
        try:
            await self.answer(appeal_id, datetime.now(UTC))
        except ApiError as exc:
            log.warning("appeals: %s", exc)
