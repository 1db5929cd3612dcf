"""Alarms as the desk reads them: the queue row, and the detail with its procedure, progress and cameras."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, object_session

from qorgau.alarms.config import AlarmsConfig
from qorgau.alarms.enums import StepState, allowed_transitions
from qorgau.alarms.models import Alarm
from qorgau.alarms.schemas import AlarmDetail, AlarmPlace, AlarmRead, PlaceNames, Progress, StepProgress, Texts
from qorgau.alarms.service import procedure_of
from qorgau.auth import people
from qorgau.city import reverse as city_places
from qorgau.core.db import Database
from qorgau.core.translit import english
from qorgau.devices import places as device_places
from qorgau.devices.schemas import NearestCamera

CAMERAS = 6
ZONE_NAME_PARTS = 3  # seeded zone names read "kk / ru / en"


def zone_names(name: str | None) -> PlaceNames | None:
    """A zone's name per language: "Күзет бекеті / Пост охраны / Security post" split into its parts; a name in
    one language serves all three."""
    if not name:
        return None
    parts = [p.strip() for p in name.split(" / ")]
    if len(parts) == ZONE_NAME_PARTS:
        return PlaceNames(kk=parts[0], ru=parts[1], en=parts[2])
    if len(parts) == ZONE_NAME_PARTS - 1:
        return PlaceNames(kk=parts[0], ru=parts[1], en=english(None, parts[1]))
    return PlaceNames(kk=name, ru=name, en=english(None, name))


def place_of(session: Session, alarm: Alarm, *, with_area: bool = False) -> AlarmPlace | None:
    """The alarm's site, its address and the zone that reported (from the signal's details)."""
    site = device_places.site(session, alarm.site_code)
    if site is None:
        return None
    details: dict[str, Any] = alarm.details or {}
    zone = details.get("zone")
    area = city_places.area_at(session, alarm.lon, alarm.lat) if with_area and alarm.lon is not None \
        and alarm.lat is not None else None
    return AlarmPlace(site_code=site.code, site_kind=site.kind, site_subtype=site.subtype,
                      name=PlaceNames(kk=site.name_kk, ru=site.name_ru, en=site.name_en), address=site.address,
                      zone=str(zone).lstrip("0") or "0" if zone is not None else None,
                      zone_name=zone_names(details.get("zone_name")),
                      area=PlaceNames.model_validate(area) if area else None)


def to_read(alarm: Alarm, config: AlarmsConfig) -> AlarmRead:
    session = object_session(alarm)
    return AlarmRead.model_validate({
        "id": alarm.id, "state": alarm.state, "priority": alarm.priority, "sounds": config.sounds(alarm.priority),
        "escalation_level": alarm.escalation_level, "escalated_at": alarm.escalated_at, "rule": alarm.rule_code,
        "kind": alarm.kind, "signal": alarm.signal, "event_name": alarm.event_name, "procedure": alarm.procedure_code,
        "incident_category": alarm.incident_category, "auto_incident": alarm.auto_incident,
        "device_code": alarm.device_code, "site_code": alarm.site_code, "lon": alarm.lon, "lat": alarm.lat,
        "details": alarm.details, "count": alarm.count, "first_at": alarm.first_at, "last_at": alarm.last_at,
        "restored_at": alarm.restored_at, "acknowledged_at": alarm.acknowledged_at,
        "acknowledged_by": alarm.acknowledged_by, "acknowledged_by_name": alarm.acknowledged_by_name,
        "resolved_at": alarm.resolved_at, "resolved_by": alarm.resolved_by, "resolution": alarm.resolution,
        "resolution_note": alarm.resolution_note, "simulated": alarm.simulated,
        "allowed": list(allowed_transitions(alarm.state)),
        "place": place_of(session, alarm) if session is not None else None,
        "acknowledged_by_label": people.label(session, alarm.acknowledged_by) if session is not None else None,
        "resolved_by_label": people.label(session, alarm.resolved_by) if session is not None else None,
    })


def cameras_for(db: Database, session: Session, alarm: Alarm) -> list[NearestCamera]:
    """The site's own cameras first, then those that see the alarm's position, best first, then those near it,
    with their current health."""
    if alarm.lon is None or alarm.lat is None:
        return []
    return device_places.cameras_for(db, session, alarm.lon, alarm.lat, CAMERAS, site_code=alarm.site_code)


def to_detail(session: Session, alarm: Alarm, config: AlarmsConfig, cameras: list[NearestCamera]) -> AlarmDetail:
    """The alarm with its procedure's steps in order, what was done or skipped and by whom, and its cameras."""
    procedure = procedure_of(session, alarm)
    records = {record.step_key: record for record in alarm.steps}
    steps: list[StepProgress] = []
    for step in procedure.steps if procedure else []:
        record = records.pop(step.key, None)
        steps.append(StepProgress(
            key=step.key, text=Texts.model_validate(step.text), state=StepState(record.state) if record else None,
            note=record.note if record else None, by_user=record.by_user if record else None,
            by_name=record.by_name if record else None, at=record.at if record else None,
            by_label=people.label(session, record.by_user) if record else None))
    # Records of steps the procedure has since dropped stay visible: they are part of what happened.
    steps += [StepProgress(key=r.step_key, text=None, state=StepState(r.state), note=r.note, by_user=r.by_user,
                           by_name=r.by_name, by_label=people.label(session, r.by_user), at=r.at)
              for r in records.values()]
    done = sum(1 for s in steps if s.state == StepState.DONE)
    skipped = sum(1 for s in steps if s.state == StepState.SKIPPED)
    base = to_read(alarm, config).model_dump()
    return AlarmDetail.model_validate({
        **base, "place": place_of(session, alarm, with_area=True),
        "procedure_title": procedure.title if procedure else None, "steps": [s.model_dump() for s in steps],
        "progress": Progress(done=done, skipped=skipped, total=len(procedure.steps) if procedure else 0).model_dump(),
        "cameras": [c.model_dump() for c in cameras],
    })
