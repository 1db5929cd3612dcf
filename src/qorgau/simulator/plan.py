"""The background plan: what happens in Aksai hour by hour, drawn from the seed alone.

Each clock hour (UTC, counted from the epoch) has its own random stream seeded by ``seed:hour``, so a window's plan
depends only on the seed, the world and the window: the same seed gives the same sequence of events whenever and
however often the plan is asked for. Arrivals are Poisson with the hour's rate (rhythm.py); follow-ups (a
false panic's cancel, a mains restore, a device coming back) are drawn in the same stream.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from qorgau.simulator.rhythm import Family, is_school_day, rate_per_s
from qorgau.simulator.world import Device, World

AKSAI_TIME = ZoneInfo("Asia/Oral")

# Contact ID event codes the panels send (SIA DC-05 table).
CID_FIRE, CID_PANIC, CID_DURESS, CID_BURGLARY, CID_TAMPER = 110, 120, 121, 130, 137
CID_AC_LOSS, CID_LOW_BATTERY, CID_CANCEL, CID_OPEN_CLOSE, CID_TEST = 301, 302, 406, 401, 602
NEW, RESTORE = 1, 3  # Contact ID qualifiers: new event / opening, restore / closing

FALSE_SHARE = {"panic": 0.7, "sos": 0.6}  # children and passers-by press buttons; most presses are no emergency
PANEL_OUTAGES_PER_DAY = 0.03  # a panel losing its line (power cut, cut cable) per panel per day
CAMERA_OUTAGES_PER_DAY = 0.02  # the stream drops too (the simulated RTSP server refuses it meanwhile)
CAMERA_FAULTS_PER_DAY = 0.03  # per camera: a frozen picture (most) or a password changed on the camera

CALL_CATEGORIES: tuple[tuple[str, float, str], ...] = (
    ("domestic_conflict", 20, "Семейный скандал, слышны крики"),
    ("theft", 18, "Украли велосипед из подъезда"),
    ("hooliganism", 14, "Группа молодых людей ломает скамейки"),
    ("public_order", 10, "Драка у магазина"),
    ("drunk_person", 10, "Нетрезвый мужчина лежит у остановки"),
    ("noise", 8, "Громкая музыка ночью"),
    ("fraud", 5, "Звонили от имени банка, просили код"),
    ("assault", 5, "Напали на прохожего"),
    ("missing_person", 2, "Не вернулся домой ребёнок 10 лет"),
    ("other", 8, "Просьба проверить подозрительный автомобиль"),
)
FIRST_NAMES = ("Айгүл", "Ерлан", "Гүлнар", "Нұрлан", "Светлана", "Асель", "Дмитрий", "Бауыржан", "Мәдина", "Олег",
               "Жанар", "Серік", "Татьяна", "Әлия", "Руслан", "Динара")
LAST_INITIALS = "АБГДЕЖКМНОСТШ"


@dataclass(frozen=True, slots=True)
class Planned:
    """One thing the simulator will make happen: at a time, by a device (or a caller), with its parameters."""

    at: datetime
    action: str  # panel | access | sos | sos_test | call | outage | camera_fault
    target: str  # device code; "" for 102 calls
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    source: str = "background"  # or the scenario's name

    def describe(self) -> str:
        extra = " ".join(f"{k}={v}" for k, v in sorted(self.params.items()) if k not in ("description", "caller_name",
                                                                                         "caller_phone"))
        return f"{self.at.isoformat()} {self.action} {self.target} {extra}".strip()


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw; the normal approximation for large means keeps busy hours cheap."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _hour_start(hour_index: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(hours=hour_index)


def _arrivals(rng: random.Random, start: datetime, per_s: float) -> list[datetime]:
    return sorted(start + timedelta(seconds=rng.random() * 3600) for _ in range(poisson(rng, per_s * 3600)))


class Planner:
    """The background plan of one world and seed, at a chosen intensity (1 = a realistic day in Aksai)."""

    def __init__(self, world: World, *, seed: int, intensity: float = 1.0) -> None:
        self.world = world
        self.seed = seed
        self.intensity = intensity

    def window(self, start: datetime, end: datetime) -> list[Planned]:
        """Everything planned in [start, end), in time order (ties by action and target)."""
        first = math.floor(start.timestamp() / 3600)
        last = math.floor((end.timestamp() - 1e-6) / 3600)
        items = [p for h in range(first, last + 1) for p in self.hour(h) if start <= p.at < end]
        return sorted(items, key=lambda p: (p.at, p.action, p.target))

    def hour(self, hour_index: int) -> list[Planned]:
        rng = random.Random(f"qorgau-sim:{self.seed}:{hour_index}")
        start = _hour_start(hour_index)
        local = (start + timedelta(minutes=30)).astimezone(AKSAI_TIME)
        out: list[Planned] = []
        for panel in self.world.panels:
            out += self._panel_hour(rng, panel, start, local)
        for turnstile in self.world.turnstiles:
            out += self._turnstile_hour(rng, turnstile, start, local)
        for terminal in self.world.terminals:
            out += self._terminal_hour(rng, terminal, start, local)
        for camera in self.world.cameras:
            for at in _arrivals(rng, start, self.intensity * CAMERA_OUTAGES_PER_DAY / 86_400):
                out.append(Planned(at, "outage", camera.code, {"seconds": rng.randint(300, 900)}))
        out += self._calls_hour(rng, start, local)
        # Drawn last, so the earlier draws (and every plan before cameras had faults) stay as they were.
        for camera in self.world.cameras:
            for at in _arrivals(rng, start, self.intensity * CAMERA_FAULTS_PER_DAY / 86_400):
                fault = "freeze" if rng.random() < 0.7 else "password"
                seconds = rng.randint(60, 600) if fault == "freeze" else rng.randint(900, 3600)
                out.append(Planned(at, "camera_fault", camera.code, {"fault": fault, "seconds": seconds}))
        return out

    def _rate(self, family: Family, local: datetime, at_school: bool) -> float:
        return self.intensity * rate_per_s(family, local, at_school=at_school)

    def _panel_hour(self, rng: random.Random, panel: Device, start: datetime, local: datetime) -> list[Planned]:
        school = self.world.at_school(panel)
        panic_zones = panel.zones_of("panic") or (1,)
        out: list[Planned] = []
        for at in _arrivals(rng, start, self._rate(Family.PANIC, local, school)):
            false = rng.random() < FALSE_SHARE["panic"]
            zone = rng.choice(panic_zones)
            out.append(Planned(at, "panel", panel.code, {"code": CID_PANIC, "zone": zone, "false": false}))
            if false:  # the staff cancel it at the panel within a minute
                out.append(Planned(at + timedelta(seconds=rng.uniform(15, 60)), "panel", panel.code,
                                   {"code": CID_CANCEL, "zone": zone, "false": True}))
        simple = ((Family.DURESS, CID_DURESS), (Family.FIRE, CID_FIRE), (Family.BURGLARY, CID_BURGLARY),
                  (Family.TAMPER, CID_TAMPER))
        for family, code in simple:
            for at in _arrivals(rng, start, self._rate(family, local, school)):
                out.append(Planned(at, "panel", panel.code, {"code": code, "zone": rng.randint(1, 16)}))
        for at in _arrivals(rng, start, self._rate(Family.TROUBLE, local, school)):
            code = rng.choice((CID_AC_LOSS, CID_LOW_BATTERY))
            out.append(Planned(at, "panel", panel.code, {"code": code, "zone": 0}))
            if code == CID_AC_LOSS:
                out.append(Planned(at + timedelta(seconds=rng.uniform(300, 1800)), "panel", panel.code,
                                   {"code": code, "zone": 0, "qualifier": RESTORE}))
        if school and is_school_day(local):
            # Opened in the morning and closed in the evening by the caretaker (user numbers as zones).
            if local.hour == 7:
                out.append(Planned(start + timedelta(seconds=rng.uniform(1200, 3000)), "panel", panel.code,
                                   {"code": CID_OPEN_CLOSE, "zone": rng.randint(1, 4), "qualifier": NEW}))
            if local.hour == 19:
                out.append(Planned(start + timedelta(seconds=rng.uniform(0, 1800)), "panel", panel.code,
                                   {"code": CID_OPEN_CLOSE, "zone": rng.randint(1, 4), "qualifier": RESTORE}))
        if local.hour == 3:  # the daily test report at night
            out.append(Planned(start + timedelta(seconds=rng.uniform(0, 3600)), "panel", panel.code,
                               {"code": CID_TEST, "zone": 0}))
        for at in _arrivals(rng, start, self.intensity * PANEL_OUTAGES_PER_DAY / 86_400):
            out.append(Planned(at, "outage", panel.code, {"seconds": rng.randint(480, 1200)}))
        return out

    def _turnstile_hour(self, rng: random.Random, turnstile: Device, start: datetime,
                        local: datetime) -> list[Planned]:
        school = self.world.at_school(turnstile)
        out = [Planned(at, "access", turnstile.code,
                       {"action": "granted", "direction": rng.choice(("in", "in", "out")),
                        "card": f"{rng.randrange(10**9):010d}"})
               for at in _arrivals(rng, start, self._rate(Family.ACCESS, local, school))]
        for at in _arrivals(rng, start, self._rate(Family.ACCESS_FAULT, local, school)):
            roll = rng.random()
            if roll < 0.8:
                params: dict[str, Any] = {"action": "denied", "card": f"{rng.randrange(10**9):010d}",
                                          "reason": rng.choice(("unknown_card", "expired", "outside_schedule"))}
            elif roll < 0.95:
                params = {"action": "held_open"}
            else:
                params = {"action": "forced"}
            out.append(Planned(at, "access", turnstile.code, params))
        return out

    def _terminal_hour(self, rng: random.Random, terminal: Device, start: datetime, local: datetime) -> list[Planned]:
        out = []
        for at in _arrivals(rng, start, self._rate(Family.SOS, local, False)):
            false = rng.random() < FALSE_SHARE["sos"]
            out.append(Planned(at, "sos", terminal.code,
                               {"hold_s": round(rng.uniform(3, 10) if false else rng.uniform(20, 60), 1),
                                "false": false}))
        if local.hour == 4 and terminal.mqtt_id:
            out.append(Planned(start + timedelta(seconds=rng.uniform(0, 3600)), "sos_test", terminal.code,
                               {"result": "pass" if rng.random() < 0.95 else "fail"}))
        return out

    def _calls_hour(self, rng: random.Random, start: datetime, local: datetime) -> list[Planned]:
        if not self.world.streets:
            return []
        out = []
        weights = [w for _, w, _ in CALL_CATEGORIES]
        for at in _arrivals(rng, start, self._rate(Family.CALL_102, local, False)):
            category, _, description = rng.choices(CALL_CATEGORIES, weights)[0]
            out.append(Planned(at, "call", "", self._caller(rng, category, description)))
        for at in _arrivals(rng, start, self._rate(Family.TRAFFIC_CALL, local, False)):
            out.append(Planned(at, "call", "", self._caller(rng, "traffic_accident", "ДТП, столкновение двух машин")))
        return out

    def _caller(self, rng: random.Random, category: str, description: str) -> dict[str, Any]:
        street = rng.choice(self.world.streets)
        return {"category": category, "description": description, "address": f"{street.street} {rng.randint(1, 40)}",
                "lon": street.lon, "lat": street.lat,
                "caller_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_INITIALS)}.",
                "caller_phone": f"+7 7{rng.choice('0157')}{rng.randint(0, 9)} {rng.randint(100, 999)} "
                                f"{rng.randint(10, 99)} {rng.randint(10, 99)}"}
