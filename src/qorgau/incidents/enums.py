"""Vocabulary of incidents: states and their allowed transitions, sources, links, categories."""

from __future__ import annotations

from enum import StrEnum


class IncidentState(StrEnum):
    NEW = "new"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"


S = IncidentState
# What a person may move an incident to from each state. Units move it only forward along UNIT_STAGES.
TRANSITIONS: dict[IncidentState, tuple[IncidentState, ...]] = {
    S.NEW: (S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE, S.ON_HOLD, S.RESOLVED, S.CLOSED),
    S.DISPATCHED: (S.EN_ROUTE, S.ON_SCENE, S.ON_HOLD, S.RESOLVED),
    S.EN_ROUTE: (S.ON_SCENE, S.ON_HOLD, S.RESOLVED),
    S.ON_SCENE: (S.ON_HOLD, S.RESOLVED),
    S.ON_HOLD: (S.NEW, S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE, S.RESOLVED),
    S.RESOLVED: (S.CLOSED, S.ON_SCENE, S.NEW),  # New: reopened with no unit left there
    S.CLOSED: (),
}
# The stages that follow the units, in order: the first unit to reach each sets its time.
UNIT_STAGES: tuple[IncidentState, ...] = (S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE)
OPEN_STATES: tuple[IncidentState, ...] = (S.NEW, S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE, S.ON_HOLD)
# What makes each unit stage true: the incident's count of units there (a person cannot choose it without).
UNITS_FOR_STATE: dict[IncidentState, str] = {
    S.DISPATCHED: "units_active", S.EN_ROUTE: "units_en_route", S.ON_SCENE: "units_on_scene",
}
# The stage timestamp column each state stamps the first time it is reached.
STAGE_COLUMN: dict[IncidentState, str] = {
    S.DISPATCHED: "dispatched_at", S.EN_ROUTE: "en_route_at", S.ON_SCENE: "on_scene_at",
    S.RESOLVED: "resolved_at", S.CLOSED: "closed_at",
}


class Source(StrEnum):
    ALARM = "alarm"
    CALL = "call"  # a 102 call taken on the intake form
    MANUAL = "manual"


class TimelineEvent(StrEnum):
    """What a unit did that a timeline entry records besides a state change."""

    UNIT_DECLINED = "unit_declined"  # the crew declined the dispatch (the entry's reason is theirs)


class LinkKind(StrEnum):
    ALARM = "alarm"
    CAMERA = "camera"
    UNIT = "unit"
    INCIDENT = "incident"  # a duplicate merged into this one (ref: its number)


class IncidentAction(StrEnum):
    """Audit actions of incidents (exports leave the system)."""

    EIDO_EXPORT = "incidents.eido_export"
    MERGE = "incidents.merge"  # a duplicate closed as merged into another incident


# Categories of Kazakh police practice and their default priority (1 highest … 255 lowest), seeded by migration.
CATEGORIES: dict[str, int] = {
    "assault": 10,
    "robbery": 10,
    "alarm": 20,
    "missing_person": 20,
    "domestic_conflict": 30,
    "traffic_accident": 30,
    "hooliganism": 50,
    "theft": 60,
    "public_order": 80,
    "drunk_person": 90,
    "other": 100,
    "fraud": 120,
    "noise": 150,
}
DEFAULT_ALARM_CATEGORY = "alarm"
