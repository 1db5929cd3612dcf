"""The list of domains: their tables, events, routers, subscribers, periodic jobs and commands are collected here."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: `qorgau --help` imports this list and should not pay for the web stack
    import typer
    from fastapi import APIRouter

    from qorgau.core.bus.dispatch import Subscriber
    from qorgau.core.db import Database
    from qorgau.core.workers import Periodic
    from qorgau.settings import Settings

# One module per line, so each domain adds its own lines.
MODEL_MODULES: tuple[str, ...] = (
    "qorgau.core.bus.models",
    "qorgau.audit.models",
    "qorgau.auth.models",
    "qorgau.city.models",
    "qorgau.devices.models",
    "qorgau.ingest.adapters.webhook.models",
    "qorgau.ingest.adapters.sip.models",
    "qorgau.ingest.adapters.sia_dc09.models",
    "qorgau.alarms.models",
    "qorgau.incidents.models",
    "qorgau.units.models",
    "qorgau.simulation.models",
    "qorgau.video.nodes",
    "qorgau.video.models",
    "qorgau.video.analytics.models",
    "qorgau.shifts.models",
    "qorgau.districts.models",
    "qorgau.appeals.models",
    "qorgau.feedback.models",
    "qorgau.offences.models",
    "qorgau.legalstats.models",
    "qorgau.roads.models",
    "qorgau.roads.enforcement.models",
    "qorgau.voice.models",
)
EVENT_MODULES: tuple[str, ...] = (
    "qorgau.auth.events",
    "qorgau.devices.events",
    "qorgau.ingest.events",
    "qorgau.alarms.events",
    "qorgau.incidents.events",
    "qorgau.units.events",
    "qorgau.simulation.events",
    "qorgau.video.events",
    "qorgau.shifts.events",
    "qorgau.districts.events",
    "qorgau.appeals.events",
    "qorgau.feedback.events",
    "qorgau.offences.events",
    "qorgau.roads.events",
    "qorgau.roads.enforcement.events",
    "qorgau.voice.events",
)
VIEW_MODULES: tuple[str, ...] = (
    "qorgau.api.system",
    "qorgau.api.settings_views",
    "qorgau.auth.views",
    "qorgau.audit.views",
    "qorgau.events.views",
    "qorgau.city.views",
    "qorgau.devices.views",
    "qorgau.ingest.adapters.webhook.views",
    "qorgau.alarms.views",
    "qorgau.incidents.views",
    "qorgau.units.views",
    "qorgau.simulation.views",
    "qorgau.video.export_views",
    "qorgau.video.admin_views",
    "qorgau.video.live_views",
    "qorgau.video.views",
    "qorgau.video.recordings_views",
    "qorgau.video.analytics.views",
    "qorgau.shifts.views",
    "qorgau.districts.views",
    "qorgau.coverage.views",
    "qorgau.appeals.views",
    "qorgau.feedback.views",
    "qorgau.district_reports.views",
    "qorgau.offences.views",
    "qorgau.legalstats.views",
    "qorgau.statistics.views",
    "qorgau.statistics.report_views",
    "qorgau.roads.views",
    "qorgau.roads.enforcement.views",
    "qorgau.voice.views",
)
FLOW_MODULES: tuple[str, ...] = (  # modules with subscribers() -> list[Subscriber]
    "qorgau.alarms.flows",
    "qorgau.incidents.flows",
    "qorgau.units.flows",
    "qorgau.video.flows",
    "qorgau.offences.flows",
    "qorgau.voice.flows",
)
WORKER_MODULES: tuple[str, ...] = (  # modules with periodic(settings, db) -> list[Periodic], run by the server
    "qorgau.audit.workers",
    "qorgau.auth.workers",
    "qorgau.alarms.workers",
    "qorgau.devices.workers",
    "qorgau.simulation.workers",
    "qorgau.units.workers",
    "qorgau.video.export_workers",
    "qorgau.video.workers",
    "qorgau.video.analytics.retention",
    "qorgau.appeals.workers",
    "qorgau.roads.workers",
    "qorgau.voice.workers",
    "qorgau.core.bus.retention",
)
COMMAND_MODULES: tuple[str, ...] = (  # modules with register(app), adding their commands and groups to `qorgau`
    "qorgau.simulator.commands",
    "qorgau.auth.commands",
    "qorgau.audit.commands",
    "qorgau.city.commands",
    "qorgau.devices.commands",
    "qorgau.ingest.adapters.webhook.commands",
    "qorgau.units.commands",
    "qorgau.video.commands",
    "qorgau.districts.commands",
    "qorgau.coverage.commands",
    "qorgau.appeals.commands",
    "qorgau.feedback.commands",
    "qorgau.offences.commands",
    "qorgau.legalstats.commands",
    "qorgau.roads.commands",
    "qorgau.roads.enforcement.commands",
    "qorgau.backup.commands",
    "qorgau.voice.commands",
)


def _load(names: tuple[str, ...]) -> list[ModuleType]:
    return [importlib.import_module(name) for name in names]


def load_models() -> None:
    """Import every table so the metadata is complete (migrations, key rotation)."""
    _load(MODEL_MODULES)


def load_events() -> None:
    _load(EVENT_MODULES)


def _audit_router() -> APIRouter:
    """The audit log sits below auth (auth records into it), so its routes are given auth's guards here."""
    from qorgau.audit.views import build_router
    from qorgau.auth.deps import Require
    from qorgau.auth.enums import Permission

    return build_router(read_guard=Require(Permission.AUDIT_READ), verify_guard=Require(Permission.AUDIT_VERIFY))


def routers() -> list[APIRouter]:
    return [_audit_router() if module.__name__ == "qorgau.audit.views" else module.router
            for module in _load(VIEW_MODULES)]


def subscribers() -> list[Subscriber]:
    found: list[Subscriber] = []
    for module in _load(FLOW_MODULES):
        found.extend(module.subscribers())
    return found


def periodic(settings: Settings, db: Database) -> list[Periodic]:
    """Every domain's periodic jobs, in the order the server starts them."""
    found: list[Periodic] = []
    for module in _load(WORKER_MODULES):
        found.extend(module.periodic(settings, db))
    return found


def register_commands(app: typer.Typer) -> None:
    """Add every domain's commands and command groups to the `qorgau` command."""
    for module in _load(COMMAND_MODULES):
        module.register(app)
