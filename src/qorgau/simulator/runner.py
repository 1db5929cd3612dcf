"""One simulation: sign in, announce the run, provision, then play the plan and the scenarios in real time.

The plan is taken a minute ahead at a time; each item is handed to the device that makes it happen (a panel's
queue, the MQTT gateway, a SIP call, a 102 call over the API). Heartbeats of every device run beside it, except
for a device in an outage. The run is announced to the server (the SIMULATION banner) and kept alive by a
heartbeat; its end carries the summary of what was sent and acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from qorgau.core.aio import within
from qorgau.core.workers import cancel_all
from qorgau.simulator import provision, scenarios, voice_phrases
from qorgau.simulator.api import Api, ApiError
from qorgau.simulator.appeals import AppealClerk
from qorgau.simulator.duty import DutyOfficer
from qorgau.simulator.feedback import Residents
from qorgau.simulator.mqtt_devices import MqttDevices
from qorgau.simulator.panels import PanelFleet
from qorgau.simulator.plan import Planned, Planner
from qorgau.simulator.sip_caller import place_call
from qorgau.simulator.stats import Stats
from qorgau.simulator.units import UnitAgent, UnitFleet
from qorgau.simulator.video.cameras import SimCameras
from qorgau.simulator.world import Device, World, load_world

log = logging.getLogger(__name__)

LOOKAHEAD_S = 60.0
RUN_HEARTBEAT_S = 10.0
SHUTDOWN_S = 8.0  # for the devices to stop (panels, crews, the MQTT gateway)
END_REPORT_S = 3.0  # for the server to take the run's end: if it is gone, the run is ended as lost there later


class SimulationError(RuntimeError):
    """The simulation cannot start: no server, no rights, nothing to simulate."""


@dataclass(frozen=True)
class SimConfig:
    """Where Qorgau is and how to play it; see `qorgau simulate --help`."""

    url: str = "http://127.0.0.1:8000"
    username: str | None = None
    password: str | None = None
    token: str | None = None
    dc09_host: str = "127.0.0.1"
    dc09_port: int = 12300
    sip_host: str = "127.0.0.1"
    sip_port: int = 5060
    sip_transport: str = "udp"
    trunk_port: int | None = None  # the voice process's 102 trunk (on sip_host): half the 102 calls ring there
    mqtt_url: str | None = None
    mqtt_prefix: str = "qorgau/v1"
    seed: int = 1
    intensity: float = 1.0
    scale: int = 1
    duration_s: float | None = None
    scenarios: tuple[str, ...] = ()
    background: bool = True
    units: bool = True
    heartbeats: bool = True
    duty_officer: float | None = None  # seconds an incident may wait before the simulated duty officer acts
    scene_s: tuple[float, float] = (120.0, 360.0)
    speedup: float = 1.0  # units travel this many times faster (accelerated drills, tests)
    report_s: float = 5.0
    sent_log: Path | None = None
    name: str = "aksai"
    cameras: bool = False  # serve the cameras' video over RTSP and point them at it (demo and `qorgau simulate`)
    rtsp_host: str = "127.0.0.1"
    rtsp_port: int = 0  # 0: a free port, the cameras' URLs are set anew at every start
    rtsp_log: Path | None = None  # the RTSP server's (GStreamer's) messages


@dataclass
class Simulation:
    config: SimConfig
    stats: Stats = field(default_factory=Stats)
    sent: list[Planned] = field(default_factory=list)
    started_at: datetime | None = None
    run_id: int | None = None
    world: World | None = None
    panels: PanelFleet | None = None
    units: UnitFleet | None = None
    mqtt: MqttDevices | None = None
    cameras: SimCameras | None = None
    _silent: dict[str, float] = field(default_factory=dict)  # device code → monotonic end of its outage
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _began: float | None = None  # time.monotonic() when the play began

    async def run(self, *, on_tick: Callable[[Simulation], None] | None = None,
                  start_at: datetime | None = None) -> dict[str, Any]:
        """Play until the duration is over (or the task is cancelled); returns the summary."""
        cfg = self.config
        api = Api(cfg.url, token=cfg.token)
        background: list[asyncio.Task[Any]] = []
        try:
            if cfg.token is None:
                if not cfg.username or not cfg.password:
                    raise SimulationError("give --token, or --username with a password (QORGAU_SIM_PASSWORD)")
                await api.login(cfg.username, cfg.password)
            world = await self._prepare(api)
            self.started_at = start_at or datetime.now(UTC)
            self._began = time.monotonic()
            background = [asyncio.create_task(self._run_heartbeat(api, world))]
            if cfg.heartbeats:
                background.append(asyncio.create_task(self._device_heartbeats(api, world)))
            if cfg.duty_officer is not None:
                background.append(asyncio.create_task(DutyOfficer(api, grace_s=cfg.duty_officer,
                                                                  stats=self.stats).run()))
            if on_tick is not None:
                background.append(asyncio.create_task(self._ticks(on_tick)))
            if cfg.background:  # residents' appeals at the town's rhythm, a month of history first
                background.append(asyncio.create_task(AppealClerk(api, random.Random(cfg.seed), self.stats,
                                                                  intensity=cfg.intensity).run()))
            if cfg.background:  # residents rate closed incidents and answered appeals (the desk's satisfaction)
                background.append(asyncio.create_task(Residents(api, self.stats, seed=cfg.seed).run()))
            await self._play(api, world)
        finally:
            await cancel_all(background)
            await self._shutdown(api)
        return self.summary()

    async def _prepare(self, api: Api) -> World:
        cfg = self.config
        try:
            if not (await api.get("/api/devices", simulated="true", limit=1))["items"]:
                raise SimulationError("the server has no simulated devices: run `qorgau devices seed-aksai "
                                      "--simulated` (and `qorgau units seed-aksai --simulated`) on it first")
            world = await load_world(api)
        except ApiError as exc:
            raise SimulationError(f"cannot read what to simulate from {cfg.url}: {exc}") from exc
        await self._announce(api, world)
        if cfg.scale > 1:
            await provision.load_panels(api, world, cfg.scale)
            world = await load_world(api)
        self.world = world
        keys = await provision.panel_keys(api, world.panels)
        self.panels = PanelFleet(world.panels, cfg.dc09_host, cfg.dc09_port, keys=keys, stats=self.stats,
                                 seed=cfg.seed)
        self.panels.start()
        if cfg.mqtt_url:
            self.mqtt = MqttDevices(cfg.mqtt_url, prefix=cfg.mqtt_prefix, stats=self.stats,
                                    client_id=f"qorgau-sim-{cfg.seed}")
            await self.mqtt.start()
        if cfg.cameras and world.cameras:
            self.cameras = SimCameras(world.cameras, stats=self.stats, host=cfg.rtsp_host, port=cfg.rtsp_port,
                                      log_path=cfg.rtsp_log, site_kinds={s.code: s.kind for s in world.sites})
            self._spawn(self.cameras.start(api))
        if cfg.units and world.units:
            # Signing the crews in takes a password hash each on the server: the town starts meanwhile.
            self._spawn(self._start_units(api, world))
        return world

    async def _start_units(self, api: Api, world: World) -> None:
        cfg = self.config
        gps = self.mqtt.gps if self.mqtt is not None else None
        streets = list(world.streets)
        by_code = {unit.code: unit for unit in world.units}
        self.units = fleet = UnitFleet([])
        try:
            # Each unit drives off as soon as its crew is signed in, not when the last crew is.
            async with contextlib.aclosing(provision.crews(api, world.units, cfg.url)) as signed_in:
                async for code, crew in signed_in:
                    fleet.add(UnitAgent(by_code[code], crew, seed=cfg.seed, streets=streets, stats=self.stats,
                                        gps=gps, scene_s=cfg.scene_s, report_s=cfg.report_s, speedup=cfg.speedup))
        except ApiError as exc:
            log.error("the units cannot be signed in: %s", exc)
            self.stats["units"].fail(str(exc))

    def plan(self, world: World, start: datetime, end: datetime) -> list[Planned]:
        """The background (when on) and the scenarios in [start, end), in time order."""
        items = Planner(world, seed=self.config.seed, intensity=self.config.intensity * self.config.scale).window(
            start, end) if self.config.background else []
        return items

    async def _play(self, api: Api, world: World) -> None:
        cfg = self.config
        start = self.started_at or datetime.now(UTC)
        end = start + timedelta(seconds=cfg.duration_s) if cfg.duration_s is not None else None
        scripted = sorted((item for name in cfg.scenarios
                           for item in scenarios.resolve(scenarios.load(name), world, start)), key=lambda p: p.at)
        # The plan's clock may be set elsewhere (--start-at 08:00 plays a school morning at night): items are
        # played at their plan time shifted by the difference.
        shift = start - datetime.now(UTC)
        window_start = start
        while end is None or window_start < end:
            window_end = window_start + timedelta(seconds=LOOKAHEAD_S)
            if end is not None:
                window_end = min(window_end, end)
            due = self.plan(world, window_start, window_end)
            due += [p for p in scripted if window_start <= p.at < window_end]
            for item in sorted(due, key=lambda p: (p.at, p.action, p.target)):
                delay = (item.at - shift - datetime.now(UTC)).total_seconds()
                if delay > 0:
                    await asyncio.sleep(delay)
                self._perform(api, world, item)
            rest = (window_end - shift - datetime.now(UTC)).total_seconds()
            if rest > 0:
                await asyncio.sleep(rest)
            window_start = window_end
        await self._drain()

    def _perform(self, api: Api, world: World, item: Planned) -> None:
        """Hand an item to its device; slow ones (a call, a SIP dialogue) run as tasks of their own."""
        self.sent.append(item)
        self.stats.count(item.action if item.action != "panel" else f"panel-{item.params['code']}")
        p = item.params
        if item.action == "panel" and self.panels is not None:
            self.panels.event(item.target, int(p["code"]), int(p["zone"]), int(p.get("qualifier", 1)))
        elif item.action == "outage":
            self._silent[item.target] = time.monotonic() + float(p["seconds"])
            if self.panels is not None and item.target in self.panels.links:
                self.panels.cut(item.target, float(p["seconds"]))
            if self.cameras is not None:
                self._spawn(self.cameras.drop(item.target, float(p["seconds"])))
        elif item.action == "camera_fault" and self.cameras is not None:
            # A faulty camera also stops answering its heartbeat probe, so the video workers' verdict is the one
            # the desk sees (a heartbeat would bring it back online while its picture is frozen; ADR 0020). A
            # camera playing a scene is no faulty one: it goes on answering.
            if p["fault"] != "play":
                self._silent[item.target] = time.monotonic() + float(p["seconds"])
            self._spawn(self.cameras.fault(item.target, str(p["fault"]), float(p["seconds"]), p.get("clip")))
        elif item.action in ("access", "sos_test") and self.mqtt is not None:
            device = world.device(item.target)
            if device.mqtt_id:
                self._spawn(self.mqtt.access(device.mqtt_id, p) if item.action == "access"
                            else self.mqtt.self_test(device.mqtt_id, str(p["result"])))
        elif item.action == "sos":
            self._spawn(self._sos_call(world.device(item.target), float(p["hold_s"])))
        elif item.action == "call":
            self._spawn(self._call_102(api, p))
        if self.config.sent_log is not None:
            with self.config.sent_log.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"at": item.at.isoformat(), "action": item.action, "target": item.target,
                                      "source": item.source}, ensure_ascii=False) + "\n")

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _sos_call(self, terminal: Device, hold_s: float) -> None:
        cfg = self.config
        # The caller speaks (Kazakh or Russian), chosen from the plan's own numbers so that a run repeats.
        phrase = voice_phrases.pick(random.Random(f"{cfg.seed}:{terminal.code}:{hold_s}"), "sos").name
        result = await place_call(cfg.sip_host, cfg.sip_port, user=terminal.sip_user or "", hold_s=hold_s,
                                  transport="tcp" if cfg.sip_transport == "tcp" else "udp", phrase=phrase)
        if result.ok and result.answered is not None and result.invite_sent is not None:
            self.stats["sip"].ok(result.answered - result.invite_sent)
        else:
            self.stats["sip"].fail(result.error or f"SIP {result.status}")

    async def _call_102(self, api: Api, p: dict[str, Any]) -> None:
        number = "".join(ch for ch in str(p["caller_phone"]) if ch.isdigit() or ch == "+")
        if self.config.trunk_port is not None and zlib.crc32(number.encode()) % 2 == 0:
            await self._call_102_by_sip(number, p)  # the caller speaks to an operator, who types the intake
            return
        body = {"source": "call", "category": p["category"], "description": p["description"],
                "caller_name": p["caller_name"], "caller_phone": p["caller_phone"], "simulated": True}
        started = time.perf_counter()
        try:
            if p.get("address"):
                answer = await api.post("/api/incidents", {**body, "address": p["address"]}, ok=(422,))
                if answer is None and p.get("lon") is not None:  # an address the geocoder does not know
                    answer = await api.post("/api/incidents", {**body, "lon": p["lon"], "lat": p["lat"]})
            else:
                answer = await api.post("/api/incidents", {**body, "lon": p["lon"], "lat": p["lat"]})
        except ApiError as exc:
            self.stats["http"].fail(str(exc))
            return
        if answer is None:
            self.stats["http"].fail(f"the address {p['address']!r} was not found and no position was given")
            return
        self.stats["http"].ok(time.perf_counter() - started)

    async def _call_102_by_sip(self, number: str, p: dict[str, Any]) -> None:
        """A 102 call through the exchange's trunk: the caller's number (and place, as PIDF-LO) and speech."""
        cfg = self.config
        rng = random.Random(f"{cfg.seed}:{number}")
        location = (float(p["lon"]), float(p["lat"])) if p.get("lon") is not None and p.get("lat") is not None else None
        result = await place_call(cfg.sip_host, cfg.trunk_port or 0, user=number, target="102",
                                  hold_s=rng.uniform(30, 90), phrase=voice_phrases.pick(rng, "line102").name,
                                  location=location)
        if result.ok and result.answered is not None and result.invite_sent is not None:
            self.stats["sip"].ok(result.answered - result.invite_sent)
        else:
            self.stats["sip"].fail(result.error or f"SIP {result.status}")

    async def _announce(self, api: Api, world: World) -> None:
        cfg = self.config
        run = await api.post("/api/simulation/runs", {
            "name": cfg.name, "seed": cfg.seed, "scale": cfg.scale,
            "details": {"intensity": cfg.intensity, "scenarios": list(cfg.scenarios), "devices": len(world.devices),
                        "units": len(world.units)}})
        self.run_id = int(run["id"])

    async def _run_heartbeat(self, api: Api, world: World) -> None:
        """Keep the run (and the SIMULATION banner) alive; a run the server ended as lost is announced anew."""
        while True:
            await asyncio.sleep(RUN_HEARTBEAT_S)
            try:
                await api.post(f"/api/simulation/runs/{self.run_id}/heartbeat")
            except ApiError as exc:
                if exc.status in (404, 409):
                    with contextlib.suppress(ApiError):
                        await self._announce(api, world)

    async def _device_heartbeats(self, api: Api, world: World) -> None:
        """Cameras over HTTP (as their video probe would report), terminals and turnstiles over MQTT when there
        is a broker (over HTTP otherwise); panels send their own link tests. Spread evenly over each interval."""
        rng = random.Random(f"qorgau-sim-heartbeats:{self.config.seed}")
        devices = [d for d in world.devices if d.kind != "alarm_panel"]
        due = {d.code: time.monotonic() + rng.uniform(0, min(30.0, d.supervision_s / 3)) for d in devices}
        while True:
            now = time.monotonic()
            for device in devices:
                if due[device.code] > now:
                    continue
                due[device.code] = now + device.supervision_s / 3
                if self._silent.get(device.code, 0.0) > now:
                    continue
                if self.mqtt is not None and device.mqtt_id:
                    self._spawn(self.mqtt.heartbeat(device.mqtt_id))
                else:
                    self._spawn(self._http_heartbeat(api, device.code))
            await asyncio.sleep(1.0)

    async def _http_heartbeat(self, api: Api, code: str) -> None:
        started = time.perf_counter()
        try:
            await api.post(f"/api/devices/{code}/heartbeat")
        except ApiError as exc:
            self.stats["http"].fail(str(exc))
        else:
            self.stats["http"].ok(time.perf_counter() - started)

    async def _ticks(self, on_tick: Callable[[Simulation], None]) -> None:
        while True:
            on_tick(self)
            await asyncio.sleep(1.0)

    async def _drain(self, timeout_s: float = 90.0) -> None:
        """Let calls and queued panel messages finish before the run ends."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)
        if self.panels is not None:
            await self.panels.drain(timeout_s)

    async def _shutdown(self, api: Api) -> None:
        """Stop every device and report the run's end; bounded, so a server that is already gone (or a device
        that hangs) costs seconds, not minutes."""
        try:
            await within(self._stop_devices(), SHUTDOWN_S)
        except TimeoutError:
            log.warning("the simulated devices did not stop within %.0f s", SHUTDOWN_S)
        if self.run_id is not None:
            with contextlib.suppress(ApiError, TimeoutError):
                await within(api.post(f"/api/simulation/runs/{self.run_id}/end", {"summary": self.summary()}),
                             END_REPORT_S)
        await api.close()

    async def _stop_devices(self) -> None:
        await cancel_all(self._tasks)
        if self.units is not None:
            await self.units.stop()
        if self.panels is not None:
            await self.panels.stop()
        if self.mqtt is not None:
            await self.mqtt.stop()
        if self.cameras is not None:
            await self.cameras.stop()

    def summary(self) -> dict[str, Any]:
        elapsed = time.monotonic() - self._began if self._began is not None else 0.0
        return {"seed": self.config.seed, "scale": self.config.scale, "intensity": self.config.intensity,
                "elapsed_s": round(elapsed, 1), "planned": len(self.sent), **self.stats.summary()}
