"""Editing the rules and reading the procedures. Functions never commit; rule changes are audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.alarms.enums import AlarmAction
from qorgau.alarms.models import AlarmRule, Procedure
from qorgau.alarms.rules import condition_fields, minutes
from qorgau.alarms.schemas import ProcedureRead, RuleFields, RuleRead
from qorgau.audit import service as audit
from qorgau.core.errors import Conflict, NotFound, QorgauError
from qorgau.core.time import utcnow


def _time(minute_of_day: int | None) -> time | None:
    return None if minute_of_day is None else time(minute_of_day // 60, minute_of_day % 60)


def to_read(rule: AlarmRule) -> RuleRead:
    return RuleRead.model_validate({
        "id": rule.id, "code": rule.code, "name_kk": rule.name_kk, "name_ru": rule.name_ru, "event": rule.event,
        "match": rule.match, "device_kind": rule.device_kind, "device_purpose": rule.device_purpose,
        "site_kind": rule.site_kind, "site_subtype": rule.site_subtype, "active_from": _time(rule.active_from_min),
        "active_to": _time(rule.active_to_min), "priority": rule.priority, "alarm_kind": rule.alarm_kind,
        "procedure": rule.procedure_code, "auto_incident": rule.auto_incident,
        "incident_category": rule.incident_category, "enabled": rule.enabled, "created_at": rule.created_at,
        "updated_at": rule.updated_at,
    })


def list_rules(session: Session) -> Sequence[AlarmRule]:
    return session.scalars(select(AlarmRule).order_by(AlarmRule.priority, AlarmRule.code)).all()


def get_rule(session: Session, code: str) -> AlarmRule:
    rule = session.scalars(select(AlarmRule).where(AlarmRule.code == code)).one_or_none()
    if rule is None:
        raise NotFound("alarms.rule_not_found", params={"code": code})
    return rule


def _check(session: Session, fields: RuleFields) -> None:
    unknown = sorted(set(fields.match) - condition_fields(fields.event))
    if unknown:
        raise QorgauError("alarms.unknown_match_field", status=422,
                          params={"fields": ", ".join(unknown), "event": fields.event},
                          errors=[{"field": f"match.{name}", "message": "not a field of the event"}
                                  for name in unknown])
    if fields.procedure is not None and session.get(Procedure, fields.procedure) is None:
        raise QorgauError("alarms.procedure_not_found", status=422, params={"code": fields.procedure},
                          errors=[{"field": "procedure", "message": "unknown procedure"}])


def apply_fields(rule: AlarmRule, fields: RuleFields) -> None:
    rule.code, rule.name_kk, rule.name_ru, rule.event = fields.code, fields.name_kk, fields.name_ru, fields.event
    rule.match = {name: list(values) for name, values in sorted(fields.match.items())}
    rule.device_kind = str(fields.device_kind) if fields.device_kind else None
    rule.device_purpose = str(fields.device_purpose) if fields.device_purpose else None
    rule.site_kind = str(fields.site_kind) if fields.site_kind else None
    rule.site_subtype = str(fields.site_subtype) if fields.site_subtype else None
    rule.active_from_min = minutes(fields.active_from) if fields.active_from else None
    rule.active_to_min = minutes(fields.active_to) if fields.active_to else None
    rule.priority, rule.alarm_kind, rule.procedure_code = fields.priority, fields.alarm_kind, fields.procedure
    rule.auto_incident = fields.auto_incident
    rule.incident_category = str(fields.incident_category) if fields.incident_category else None
    rule.enabled = fields.enabled


def create_rule(session: Session, *, fields: RuleFields, actor: audit.Actor | None) -> AlarmRule:
    """Add a rule; ``actor`` None for the defaults installed with the database (not audited)."""
    if session.scalar(select(AlarmRule.id).where(AlarmRule.code == fields.code)) is not None:
        raise Conflict("alarms.rule_exists", params={"code": fields.code})
    _check(session, fields)
    now = utcnow()
    rule = AlarmRule(created_at=now, updated_at=now)
    apply_fields(rule, fields)
    session.add(rule)
    session.flush()
    if actor is not None:
        audit.record(session, action=AlarmAction.RULE_CREATE, actor=actor, target_type="alarm_rule",
                     target_id=rule.code, details=fields.model_dump(mode="json"))
    return rule


def replace_rule(session: Session, *, code: str, fields: RuleFields, actor: audit.Actor) -> AlarmRule:
    """Replace a rule's conditions and outcome; its code may not change (alarms refer to it)."""
    rule = get_rule(session, code)
    if fields.code != rule.code:
        raise QorgauError("alarms.rule_code_fixed", status=422, params={"code": rule.code},
                          errors=[{"field": "code", "message": "must stay " + rule.code}])
    _check(session, fields)
    before = to_read(rule).model_dump(mode="json", exclude={"id", "created_at", "updated_at"})
    apply_fields(rule, fields)
    after = fields.model_dump(mode="json")
    changes = sorted(name for name, value in after.items() if before.get(name) != value)
    if changes:
        rule.updated_at = utcnow()
        audit.record(session, action=AlarmAction.RULE_UPDATE, actor=actor, target_type="alarm_rule",
                     target_id=rule.code, details={"changes": {name: after[name] for name in changes}})
    session.flush()
    return rule


def delete_rule(session: Session, *, code: str, actor: audit.Actor) -> None:
    """Delete a rule; alarms it raised keep their copy of its outcome."""
    rule = get_rule(session, code)
    audit.record(session, action=AlarmAction.RULE_DELETE, actor=actor, target_type="alarm_rule",
                 target_id=rule.code, details=to_read(rule).model_dump(mode="json"))
    session.delete(rule)
    session.flush()


def list_procedures(session: Session) -> list[ProcedureRead]:
    found = session.scalars(select(Procedure).order_by(Procedure.code)).all()
    return [to_procedure(p) for p in found]


def to_procedure(procedure: Procedure) -> ProcedureRead:
    return ProcedureRead.model_validate({"code": procedure.code, "title": procedure.title,
                                         "steps": [{"key": s.key, "text": s.text} for s in procedure.steps]})
