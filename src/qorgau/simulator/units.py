"""Patrols and inspectors: they move along the street network and follow their dispatches, as their crews would.

Each unit is signed in as its crew member (the unit app's API): it polls its assignment as the app does, accepts,
reports en route, drives or walks the route Qorgau's router gives, reports on scene when it arrives, stays,
reports resolved and goes back to patrolling. Positions go out as the unit's tracker would send them (MQTT GPS
for patrol cars when a broker is configured) or as the phone app does (HTTP). Response times are then real
outcomes of the model. Every choice draws on a stream seeded by the seed and the unit's code.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from qorgau.core.workers import cancel_all
from qorgau.simulator.api import Api, ApiError
from qorgau.simulator.stats import Stats
from qorgau.simulator.world import Address, Unit

log = logging.getLogger(__name__)

EARTH_M = 6_371_000.0
WALK_KMH = 5.0
POLL_S = 2.0
Point = tuple[float, float]
GpsSender = Callable[[str, float, float, float, float], Awaitable[None]]  # tracker, lon, lat, speed, heading


def metres(a: Point, b: Point) -> float:
    """Great-circle distance between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(min(1.0, h)))


def heading(a: Point, b: Point) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return (math.degrees(math.atan2(y, x)) + 360) % 360


@dataclass
class Path:
    """A route being followed at a constant speed: where the unit is after ``elapsed`` seconds."""

    points: list[Point]
    seconds: float
    started: float  # time.monotonic()

    def __post_init__(self) -> None:
        self.legs = [metres(a, b) for a, b in zip(self.points, self.points[1:], strict=False)]
        self.length = sum(self.legs)

    @property
    def speed_ms(self) -> float:
        return self.length / self.seconds if self.seconds > 0 else 0.0

    def position(self, now: float) -> tuple[Point, float, bool]:
        """Where on the route, the heading, and whether the end is reached.

        The end is reached when the route's time is up, not when the distance walked along the legs adds up to
        the length: that sum rounds either way, and a crew whose last leg came out a hair longer stood at the
        scene "en route" for good. A route without length (standing still) lasts its time too.
        """
        elapsed = now - self.started
        if elapsed >= self.seconds or self.length <= 0 or len(self.points) < 2:
            last = heading(self.points[-2], self.points[-1]) if self.length > 0 and len(self.points) > 1 else 0.0
            return self.points[-1], last, elapsed >= self.seconds
        travelled = elapsed * self.speed_ms
        for (a, b), leg in zip(zip(self.points, self.points[1:], strict=False), self.legs, strict=False):
            if travelled <= leg and leg > 0:
                f = travelled / leg
                return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f), heading(a, b), False
            travelled -= leg
        return self.points[-1], heading(self.points[-2], self.points[-1]), False


class UnitAgent:
    """One unit: its crew's session, its position, and what it is doing."""

    def __init__(self, unit: Unit, api: Api, *, seed: int, streets: list[Address], stats: Stats,
                 gps: GpsSender | None, scene_s: tuple[float, float], report_s: float,
                 speedup: float = 1.0) -> None:
        self.unit = unit
        self.api = api
        self.rng = random.Random(f"qorgau-sim-unit:{seed}:{unit.code}")
        self.streets = streets
        self.stats = stats
        self.gps = gps if unit.trackers else None
        self.scene_s = scene_s
        self.report_s = report_s
        self.speedup = speedup
        self.position: Point = (unit.lon, unit.lat)
        self.home: Point = self.position
        self.path: Path | None = None
        self.doing = "patrol"
        self.assignment: int | None = None
        self.arrived_at: float | None = None
        self._last_report = 0.0
        self._last_poll = 0.0

    async def run(self) -> None:
        while True:
            try:
                await self.step()
            except ApiError as exc:
                self.stats["units"].fail(str(exc))
                await asyncio.sleep(5)
            except Exception:  # a crew that hits a bug keeps patrolling; the log says what happened
                log.exception("unit %s", self.unit.code)
                await asyncio.sleep(5)
            await asyncio.sleep(1.0)

    async def step(self) -> None:
        now = time.monotonic()
        heading_deg, speed = 0.0, 0.0
        if self.path is not None:
            self.position, heading_deg, done = self.path.position(now)
            speed = self.path.speed_ms * 3.6 / self.speedup  # what the vehicle's own speedometer says
            if done:
                self.path = None
                await self.arrived()
        if now - self._last_report >= self.report_s:
            self._last_report = now
            await self.report(speed, heading_deg)
        if now - self._last_poll >= POLL_S:
            self._last_poll = now
            await self.poll()
        if self.doing == "on_scene" and self.arrived_at is not None and now >= self.arrived_at:
            await self.resolve()
        if self.path is None and self.doing == "patrol":
            await self.wander()

    async def report(self, speed_kmh: float, heading_deg: float) -> None:
        lon, lat = self.position
        started = time.perf_counter()
        if self.gps is not None:
            await self.gps(self.unit.trackers[0], lon, lat, speed_kmh, heading_deg)
            return
        body: dict[str, Any] = {"lon": lon, "lat": lat, "at": datetime.now(UTC).isoformat()}
        if speed_kmh > 0:
            body |= {"speed_kmh": round(speed_kmh, 1), "heading_deg": round(heading_deg, 1) % 360}
        await self.api.post("/api/me/unit/position", body)
        self.stats["units"].ok(time.perf_counter() - started)

    async def poll(self) -> None:
        """What the unit app shows: a new dispatch is taken at once, after a crew's reaction time."""
        mine = await self.api.get("/api/me/unit")
        assignment = mine.get("assignment")
        if not assignment or not assignment.get("active"):
            if self.assignment is not None:  # released or reassigned by the dispatcher
                self.assignment, self.doing, self.path = None, "patrol", None
            return
        if assignment["id"] == self.assignment:
            return
        self.assignment = assignment["id"]
        incident = mine.get("incident") or {}
        await asyncio.sleep(self.rng.uniform(2, 8))  # the crew reads the dispatch
        await self.api.post(f"/api/assignments/{self.assignment}/accept", ok=(409,))
        await self.api.post(f"/api/assignments/{self.assignment}/progress", {"stage": "en_route"}, ok=(409,))
        self.stats.count("unit-dispatched")
        self.doing = "en_route"
        target = (incident.get("lon"), incident.get("lat"))
        if target[0] is None or target[1] is None:
            await self.arrived()
            return
        await self.go((float(target[0]), float(target[1])))

    async def arrived(self) -> None:
        if self.doing == "en_route" and self.assignment is not None:
            await self.api.post(f"/api/assignments/{self.assignment}/progress", {"stage": "on_scene"}, ok=(409,))
            self.stats.count("unit-on-scene")
            self.doing = "on_scene"
            self.arrived_at = time.monotonic() + self.rng.uniform(*self.scene_s)

    async def resolve(self) -> None:
        if self.assignment is not None:
            await self.api.post(f"/api/assignments/{self.assignment}/progress", {"stage": "resolved"}, ok=(409,))
            self.stats.count("unit-resolved")
        self.assignment, self.doing, self.arrived_at = None, "patrol", None

    async def wander(self) -> None:
        """Patrol: cars drive to a random street of the town, foot patrols walk near their post, inspectors
        mostly stay at the centre."""
        if self.unit.kind == "district_inspector" and self.rng.random() < 0.9:
            self.path = Path([self.position, self.position], self.rng.uniform(60, 300), time.monotonic())
            return
        if self.unit.kind == "post":
            self.path = Path([self.position, self.position], 600, time.monotonic())
            return
        reach = 3000.0 if self.unit.mode == "drive" else 700.0
        nearby = [s for s in self.streets if metres((s.lon, s.lat), self.home) <= reach] or self.streets
        if not nearby:
            self.path = Path([self.position, self.position], 600, time.monotonic())
            return
        street = self.rng.choice(nearby)
        await self.go((street.lon, street.lat))

    async def go(self, target: Point) -> None:
        route = await self.api.get("/api/city/route", mode=self.unit.mode, **{
            "from": f"{self.position[0]:.6f},{self.position[1]:.6f}", "to": f"{target[0]:.6f},{target[1]:.6f}"})
        points = [(float(x), float(y)) for x, y in route["geometry"]["coordinates"]] or [self.position, target]
        seconds = float(route["seconds"])
        if self.unit.mode == "walk":
            seconds = max(seconds, route["meters"] / (WALK_KMH / 3.6))
        self.path = Path(points, max(seconds / self.speedup, 1.0), time.monotonic())


class UnitFleet:
    """Every simulated unit, each in its own task."""

    def __init__(self, agents: list[UnitAgent]) -> None:
        self.agents = agents
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(agent.run(), name=f"unit-{agent.unit.code}") for agent in self.agents]

    def add(self, agent: UnitAgent) -> None:
        """One more unit, running at once."""
        self.agents.append(agent)
        self._tasks.append(asyncio.create_task(agent.run(), name=f"unit-{agent.unit.code}"))

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        await asyncio.gather(*(agent.api.close() for agent in self.agents), return_exceptions=True)

    def moving(self) -> int:
        return sum(1 for agent in self.agents if agent.path is not None and agent.path.speed_ms > 0)
