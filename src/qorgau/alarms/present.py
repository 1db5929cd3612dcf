"""Alarms as the desk reads them: the queue row, and the detail with its procedure, progress and cameras."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qorgau.alarms.config import AlarmsConfig
from qorgau.alarms.enums import StepState, allowed_transitions
from qorgau.alarms.models import Alarm
from qorgau.alarms.schemas import AlarmDetail, AlarmRead, Progress, StepProgress, Texts
from qorgau.alarms.service import procedure_of
from qorgau.core.db import Database
from qorgau.devices import queries as device_queries
from qorgau.devices.schemas import NearestCamera

CAMERAS = 6


def to_read(alarm: Alarm, config: AlarmsConfig) -> AlarmRead:
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
    })


def cameras_for(db: Database, session: Session, alarm: Alarm) -> list[NearestCamera]:
    """Cameras that see the alarm's position, best first, with their current health."""
    if alarm.lon is None or alarm.lat is None:
        return []
    return device_queries.cameras_seeing(db, session, alarm.lon, alarm.lat, CAMERAS)


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
            by_name=record.by_name if record else None, at=record.at if record else None))
    # Records of steps the procedure has since dropped stay visible: they are part of what happened.
    steps += [StepProgress(key=r.step_key, text=None, state=StepState(r.state), note=r.note, by_user=r.by_user,
                           by_name=r.by_name, at=r.at) for r in records.values()]
    done = sum(1 for s in steps if s.state == StepState.DONE)
    skipped = sum(1 for s in steps if s.state == StepState.SKIPPED)
    base = to_read(alarm, config).model_dump()
    return AlarmDetail.model_validate({
        **base, "procedure_title": procedure.title if procedure else None, "steps": [s.model_dump() for s in steps],
        "progress": Progress(done=done, skipped=skipped, total=len(procedure.steps) if procedure else 0).model_dump(),
        "cameras": [c.model_dump() for c in cameras],
    })
