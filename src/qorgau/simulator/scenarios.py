"""Scenarios: short scripted stories (YAML) played on top of the background, e.g. a panic button at school №3.

A scenario names its devices the way a person would (a site's name or code, or a device code) and is resolved
against the world when played, so the same file works on any registry that has such a site. Format: see the
README's "Simulation" section and the files in ``scenarios/``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from qorgau.simulator.plan import (
    CID_BURGLARY,
    CID_CANCEL,
    CID_DURESS,
    CID_FIRE,
    CID_PANIC,
    CID_TAMPER,
    Planned,
)
from qorgau.simulator.world import Device, World

PANEL_CODES = {"panic": CID_PANIC, "duress": CID_DURESS, "fire": CID_FIRE, "burglary": CID_BURGLARY,
               "tamper": CID_TAMPER, "cancel": CID_CANCEL}
Action = Literal["panic", "duress", "fire", "burglary", "tamper", "cancel", "sos", "access", "outage", "call",
                 "freeze", "password", "cover", "play"]
# A camera's picture freezes / its password is changed / its lens is covered / it shows a scene (``clip``: a
# scene such as crowd, yard-night, stopped-car, or a clip family), for ``seconds``.
CAMERA_FAULTS = ("freeze", "password", "cover", "play")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$")
_UNITS = {None: 1.0, "s": 1.0, "ms": 0.001, "m": 60.0, "min": 60.0, "h": 3600.0}


class ScenarioError(ValueError):
    """A scenario file that cannot be read, or that names something the world does not have."""


def seconds(value: str | float | int) -> float:
    """'90s', '2m', '1.5h' or a number of seconds."""
    if isinstance(value, int | float):
        return float(value)
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"not a duration: {value!r} (e.g. 30s, 2m, 1h)")
    return float(match.group(1)) * _UNITS[match.group(2)]


class Step(BaseModel):
    """One thing that happens, ``after`` the scenario starts."""

    model_config = ConfigDict(extra="forbid")

    after: float = Field(default=0.0, ge=0, description="Delay from the scenario's start: 0, 30s, 2m.")
    do: Action
    device: str | None = Field(default=None, description="A device code.")
    site: str | None = Field(default=None, description="A site's code or part of its name, e.g. 'Школа №3'.")
    zone: int | None = Field(default=None, ge=0, le=9999)
    seconds: float | None = Field(default=None, gt=0, description="outage: how long the device stays silent; "
                                                                  "freeze, password, cover, play: how long the "
                                                                  "fault or the scene lasts.")
    clip: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$",
                             description="play: the scene the camera shows (crowd, yard-night, stopped-car, "
                                         "covered) or a clip family (road, pedestrians, ...).")
    hold: float | None = Field(default=None, gt=0, description="sos: how long the call lasts.")
    action: Literal["granted", "denied", "forced", "held_open"] | None = None
    category: str | None = None
    address: str | None = None
    description: str | None = None

    @field_validator("after", "seconds", "hold", mode="before")
    @classmethod
    def _durations(cls, value: Any) -> Any:
        return seconds(value) if isinstance(value, str) else value


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    title: str
    description: str = ""
    at: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}$",
                           description="The local time of day the story is set at (played then with --on-clock).")
    steps: list[Step] = Field(min_length=1)


def load(source: str | Path) -> Scenario:
    """A scenario by file path, or by the name of one shipped in ``qorgau/simulator/scenarios``."""
    path = Path(source)
    if path.suffix not in (".yaml", ".yml") and not path.exists():
        shipped = resources.files("qorgau.simulator") / "scenarios" / f"{source}.yaml"
        if not shipped.is_file():
            raise ScenarioError(f"no scenario named {source!r}; shipped: {', '.join(shipped_names())}")
        text = shipped.read_text(encoding="utf-8")
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(f"{source}: {exc.strerror}") from exc
    try:
        return Scenario.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ScenarioError(f"{source}: {exc}") from exc


def shipped_names() -> list[str]:
    folder = resources.files("qorgau.simulator") / "scenarios"
    return sorted(item.name.removesuffix(".yaml") for item in folder.iterdir() if item.name.endswith(".yaml"))


def _kind_for(action: str) -> str | None:
    if action in PANEL_CODES:
        return "alarm_panel"
    return "camera" if action in CAMERA_FAULTS else {"sos": "sos_terminal", "access": "access_point"}.get(action)


def _find(world: World, step: Step, scenario: str) -> Device:
    kind = _kind_for(step.do)
    if step.device:
        try:
            return world.device(step.device)
        except KeyError:
            raise ScenarioError(f"{scenario}: no simulated device {step.device!r}") from None
    candidates = [d for d in world.devices if kind is None or d.kind == kind]
    if step.site:
        wanted = step.site.casefold()
        exact = [d for d in candidates if (d.site_code or "").casefold() == wanted]
        named = [d for d in candidates if (site := world.site_of(d)) is not None and _name_matches(site.name, wanted)]
        candidates = exact or named
    if not candidates:
        raise ScenarioError(f"{scenario}: no {kind or 'device'} at {step.site!r}")
    return candidates[0]


def _name_matches(name: str, wanted: str) -> bool:
    """'школа №3' matches 'Школа №3' but not 'Школа №30'."""
    folded = name.casefold()
    at = folded.find(wanted)
    return at >= 0 and not (folded[at + len(wanted):at + len(wanted) + 1].isdigit() and wanted[-1:].isdigit())


def resolve(scenario: Scenario, world: World, start: datetime) -> list[Planned]:
    """The scenario's steps as planned items from ``start``."""
    out: list[Planned] = []
    for step in scenario.steps:
        at = start + timedelta(seconds=step.after)
        params: dict[str, Any]
        if step.do == "call":
            street = world.streets[0] if world.streets else None
            params = {"category": step.category or "other", "description": step.description or scenario.title,
                      "address": step.address, "caller_name": "Сценарий", "caller_phone": "+7 700 000 00 00",
                      "lon": street.lon if street else None, "lat": street.lat if street else None}
            out.append(Planned(at, "call", "", params, scenario.name))
            continue
        device = _find(world, step, scenario.name)
        if step.do in PANEL_CODES:
            zones = device.zones_of("panic") if step.do in ("panic", "cancel") else ()
            params = {"code": PANEL_CODES[step.do], "zone": step.zone if step.zone is not None else
                      (zones[0] if zones else 1)}
            out.append(Planned(at, "panel", device.code, params, scenario.name))
        elif step.do == "sos":
            out.append(Planned(at, "sos", device.code, {"hold_s": step.hold or 30.0, "false": False}, scenario.name))
        elif step.do == "access":
            out.append(Planned(at, "access", device.code, {"action": step.action or "forced"}, scenario.name))
        elif step.do in CAMERA_FAULTS:
            params = {"fault": step.do, "seconds": step.seconds or 300.0}
            if step.do == "play":
                if not step.clip:
                    raise ScenarioError(f"{scenario.name}: a play step names its clip")
                params["clip"] = step.clip
            out.append(Planned(at, "camera_fault", device.code, params, scenario.name))
        else:
            out.append(Planned(at, "outage", device.code, {"seconds": step.seconds or 600.0}, scenario.name))
    return out
