"""Editing a camera's analytics rules, with the checks a drawn rule must pass. Functions never commit; rule
changes are audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.errors import NotFound, QorgauError
from qorgau.core.time import utcnow
from qorgau.devices.models import Device
from qorgau.video.analytics import geometry
from qorgau.video.analytics.contracts import CLASSES, VEHICLES
from qorgau.video.analytics.enums import Direction, RuleKind
from qorgau.video.analytics.models import AnalyticsRule
from qorgau.video.analytics.rules import ALL_DAYS, RuleSpec, Schedule
from qorgau.video.analytics.schemas import AnalyticsRuleIn, AnalyticsRuleRead, AnalyticsScheduleRead

MAX_RULES = 32  # per camera: each is evaluated on every analysed frame
MIN_LINE = 0.01  # a line shorter than this (share of the frame, |dx| + |dy|) has no usable direction
MIN_AREA = 1e-4  # a polygon smaller than this share of the frame has no inside
Point = tuple[float, float]


def _invalid(code: str, field: str, message: str, **params: object) -> QorgauError:
    return QorgauError(code, status=422, params=params, errors=[{"field": field, "message": message}])


def check(body: AnalyticsRuleIn) -> tuple[Point, ...]:
    """The rule's points if it can be drawn and evaluated; otherwise a 422 that names what is wrong."""
    points: list[Point] = []
    for i, point in enumerate(body.points):
        if len(point) != 2:
            raise _invalid("video.analytics_bad_point", f"points.{i}", "a point is [x, y]", index=i)
        x, y = point
        if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            raise _invalid("video.analytics_out_of_frame", f"points.{i}", "0 <= x, y <= 1", index=i)
        points.append((x, y))
    if body.kind is RuleKind.LINE:
        if len(points) != 2:
            raise _invalid("video.analytics_line_points", "points", "a line has exactly 2 points")
        if abs(points[0][0] - points[1][0]) + abs(points[0][1] - points[1][1]) < MIN_LINE:
            raise _invalid("video.analytics_degenerate", "points", "the line is too short")
    else:
        if len(points) < 3:
            raise _invalid("video.analytics_polygon_points", "points", "a polygon has 3 or more points")
        if geometry.self_intersects(points):
            raise _invalid("video.analytics_self_intersecting", "points", "the polygon's edges cross")
        if geometry.area(points) < MIN_AREA:
            raise _invalid("video.analytics_degenerate", "points", "the polygon has no area")
    unknown = sorted(set(body.classes) - set(CLASSES))
    if unknown:
        raise _invalid("video.analytics_unknown_class", "classes", "unknown: " + ", ".join(unknown)[:200],
                       classes=", ".join(unknown)[:200], known=", ".join(CLASSES))
    if body.kind is RuleKind.STOPPED_VEHICLE and not set(body.classes) <= VEHICLES:
        raise _invalid("video.analytics_vehicles_only", "classes", "a stopped vehicle rule takes vehicle classes")
    if body.kind in (RuleKind.LOITERING, RuleKind.STOPPED_VEHICLE) and not body.min_seconds:
        raise _invalid("video.analytics_seconds_required", "min_seconds", "required for this kind")
    if body.kind is RuleKind.CROWD and body.min_count is None:
        raise _invalid("video.analytics_count_required", "min_count", "required for a crowd")
    return tuple(points)


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _hhmm(minutes: int) -> str:
    return time(minutes // 60, minutes % 60).strftime("%H:%M")


def _apply(rule: AnalyticsRule, body: AnalyticsRuleIn, points: tuple[Point, ...]) -> None:
    rule.name, rule.kind, rule.points = body.name, body.kind.value, [[x, y] for x, y in points]
    rule.classes = sorted(set(body.classes))
    rule.days = sorted(set(body.schedule.days)) if body.schedule else sorted(ALL_DAYS)
    rule.active_from_min = _minutes(body.schedule.from_) if body.schedule else None
    rule.active_to_min = _minutes(body.schedule.to) if body.schedule else None
    rule.threshold_s, rule.threshold_count = body.min_seconds, body.min_count
    rule.direction = body.direction.value if body.kind is RuleKind.LINE else None
    rule.alert, rule.enabled = body.alert, body.enabled


def to_read(rule: AnalyticsRule, code: str) -> AnalyticsRuleRead:
    """The rule as the API shows it."""
    schedule = None
    if rule.active_from_min is not None and rule.active_to_min is not None:
        schedule = AnalyticsScheduleRead(days=list(rule.days), from_=_hhmm(rule.active_from_min),
                                to=_hhmm(rule.active_to_min))
    return AnalyticsRuleRead(id=rule.id, camera=code, name=rule.name, kind=RuleKind(rule.kind), points=rule.points,
                    classes=list(rule.classes), schedule=schedule, min_seconds=rule.threshold_s,
                    min_count=rule.threshold_count, direction=Direction(rule.direction or Direction.BOTH),
                    alert=rule.alert, enabled=rule.enabled, created_at=rule.created_at, updated_at=rule.updated_at)


def spec_of(rule: AnalyticsRule) -> RuleSpec:
    """The rule as the engine evaluates it."""
    schedule = Schedule(frozenset(rule.days), rule.active_from_min, rule.active_to_min)
    return RuleSpec(rule.id, rule.name, RuleKind(rule.kind), tuple((p[0], p[1]) for p in rule.points),
                    frozenset(rule.classes), schedule, rule.threshold_s or 0.0, rule.threshold_count or 0,
                    Direction(rule.direction or Direction.BOTH), rule.alert)


def rules_of(session: Session, device_id: int) -> Sequence[AnalyticsRule]:
    return session.scalars(select(AnalyticsRule).where(AnalyticsRule.device_id == device_id)
                           .order_by(AnalyticsRule.id)).all()


def specs_for(session: Session, device_ids: Sequence[int]) -> dict[int, list[RuleSpec]]:
    """The enabled rules of these cameras, as the engine takes them (cameras without rules: absent)."""
    found: dict[int, list[RuleSpec]] = {}
    query = select(AnalyticsRule).where(AnalyticsRule.device_id.in_(list(device_ids)),
                                        AnalyticsRule.enabled.is_(True)).order_by(AnalyticsRule.id)
    for rule in session.scalars(query):
        found.setdefault(rule.device_id, []).append(spec_of(rule))
    return found


def cameras_with_rules(session: Session) -> set[int]:
    """Registry ids of the cameras that have an enabled rule (they are analysed)."""
    return set(session.scalars(select(AnalyticsRule.device_id).where(AnalyticsRule.enabled.is_(True)).distinct()))


def get_rule(session: Session, device: Device, rule_id: int) -> AnalyticsRule:
    rule = session.get(AnalyticsRule, rule_id)
    if rule is None or rule.device_id != device.id:
        raise NotFound("video.analytics_rule_not_found", params={"id": rule_id})
    return rule


def create_rule(*, session: Session, device: Device, body: AnalyticsRuleIn, actor: audit.Actor | None,
                now: datetime | None = None) -> AnalyticsRuleRead:
    """Add a rule to a camera; ``actor`` None for the demo's defaults (not audited)."""
    points = check(body)
    if len(rules_of(session, device.id)) >= MAX_RULES:
        raise QorgauError("video.analytics_too_many_rules", status=422, params={"limit": MAX_RULES})
    at = now or utcnow()
    rule = AnalyticsRule(device_id=device.id, created_at=at, updated_at=at)
    _apply(rule, body, points)
    session.add(rule)
    session.flush()
    if actor is not None:
        audit.record(session, action="video.analytics_rule_create", actor=actor, target_type="camera",
                     target_id=device.code, details={"rule": rule.id, **body.model_dump(mode="json", by_alias=True)})
    return to_read(rule, device.code)


def replace_rule(*, session: Session, device: Device, rule_id: int, body: AnalyticsRuleIn,
                 actor: audit.Actor) -> AnalyticsRuleRead:
    """Replace a rule's geometry, classes, schedule and thresholds."""
    rule = get_rule(session, device, rule_id)
    points = check(body)
    _apply(rule, body, points)
    rule.updated_at = utcnow()
    session.flush()
    audit.record(session, action="video.analytics_rule_update", actor=actor, target_type="camera",
                 target_id=device.code, details={"rule": rule.id, **body.model_dump(mode="json", by_alias=True)})
    return to_read(rule, device.code)


def delete_rule(*, session: Session, device: Device, rule_id: int, actor: audit.Actor) -> None:
    """Delete a rule; its events stay (with its name), its line counts go."""
    rule = get_rule(session, device, rule_id)
    audit.record(session, action="video.analytics_rule_delete", actor=actor, target_type="camera",
                 target_id=device.code, details={"rule": rule.id, "name": rule.name, "kind": rule.kind})
    session.delete(rule)
    session.flush()
