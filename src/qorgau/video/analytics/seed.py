"""The demo's analytics rules on seeded cameras (`qorgau video analytics-seed`, idempotent): a school yard at night
for persons, a counting line at an intersection, a stopped vehicle at a city entry, a crowd in a public area.

Each goes on the first camera (lowest code) of its kind of place, and only to a camera without rules, so an
administrator's rules are never touched. The figures cover most of the picture: the scenario clips show their
persons and cars across the frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.devices.enums import DeviceKind
from qorgau.devices.models import Device, Site
from qorgau.video.analytics import service
from qorgau.video.analytics.schemas import AnalyticsRuleIn

LOWER = [[0.03, 0.3], [0.97, 0.3], [0.97, 0.98], [0.03, 0.98]]
PERSON, VEHICLES = ["person"], ["car", "bus", "truck", "motorcycle"]


@dataclass(frozen=True)
class DemoRule:
    """A rule for the first camera of ``purpose`` at a site of ``site_kind`` (and ``site_subtype``)."""

    purpose: str
    site_kind: str | None
    site_subtype: str | None
    rule: dict[str, Any]


DEMO_RULES = (
    DemoRule("social_object", "social_object", "school", {
        "name": "Мектеп ауласы түнде / Школьный двор ночью / School yard at night", "kind": "zone",
        "points": LOWER, "classes": PERSON, "schedule": {"from": "22:00", "to": "06:00"}}),
    DemoRule("intersection", None, None, {
        "name": "Қиылыстағы санау сызығы / Линия подсчёта на перекрёстке / Intersection counting line",
        "kind": "line", "points": [[0.03, 0.6], [0.97, 0.6]], "classes": [*VEHICLES, "bicycle"], "alert": False}),
    DemoRule("city_entry_anpr", None, None, {
        "name": "Кіреберісте тоқтаған көлік / Остановка у въезда / Vehicle stopped at the entry",
        "kind": "stopped_vehicle", "points": LOWER, "classes": VEHICLES, "min_seconds": 30}),
    DemoRule("public_space", "public_area", None, {
        "name": "Алаңдағы жиналыс / Скопление на площади / Crowd in the square", "kind": "crowd",
        "points": LOWER, "classes": PERSON, "min_count": 5, "min_seconds": 5}),
)


def _camera(session: Session, demo: DemoRule) -> Device | None:
    query = select(Device).where(Device.kind == DeviceKind.CAMERA.value, Device.purpose == demo.purpose)
    if demo.site_kind is not None:
        query = query.join(Site, Site.id == Device.site_id).where(Site.kind == demo.site_kind)
        if demo.site_subtype is not None:
            query = query.where(Site.subtype == demo.site_subtype)
    return session.scalars(query.order_by(Device.code).limit(1)).first()


def install_demo_rules(session: Session) -> list[tuple[str, str]]:
    """Add the demo's rules to cameras that have none; (camera code, rule kind) of each added."""
    added: list[tuple[str, str]] = []
    for demo in DEMO_RULES:
        device = _camera(session, demo)
        if device is None or service.rules_of(session, device.id):
            continue
        rule = service.create_rule(session=session, device=device, body=AnalyticsRuleIn.model_validate(demo.rule),
                                   actor=None)
        added.append((device.code, rule.kind.value))
    return added


def analytics_seed_command() -> None:
    """Put the demo's analytics rules on seeded cameras that have none (a school yard, an intersection, a city
    entry, a public area)."""
    from qorgau.core.commands import load_command_settings
    from qorgau.core.db import Database

    db = Database(load_command_settings().effective_database_url)
    try:
        with db.unit_of_work() as session:
            added = install_demo_rules(session)
    finally:
        db.dispose()
    for code, kind in added:
        typer.echo(f"analytics rule {kind} on {code}")
    if not added:
        typer.echo("analytics rules: nothing to add")


def register(group: typer.Typer) -> None:
    """Add `analytics-seed` to the `qorgau video` group."""
    group.command("analytics-seed")(analytics_seed_command)
