"""Vocabulary of the alarm desk; the states and resolutions live in events.py, which other domains import."""

from __future__ import annotations

from enum import StrEnum

from qorgau.alarms.events import AlarmState, Resolution

__all__ = ["OPEN_STATES", "AlarmAction", "AlarmState", "IncidentCategory", "Resolution", "StepState",
           "Transition", "allowed_transitions"]


class Transition(StrEnum):
    """What an operator can do to an alarm; invalid ones are refused with the allowed ones named."""

    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


# new → acknowledged → resolved; escalation is a level on a new alarm, not a state.
_ALLOWED: dict[AlarmState, tuple[Transition, ...]] = {
    AlarmState.NEW: (Transition.ACKNOWLEDGE,),
    AlarmState.ACKNOWLEDGED: (Transition.RESOLVE,),
    AlarmState.RESOLVED: (),
}
OPEN_STATES = (AlarmState.NEW, AlarmState.ACKNOWLEDGED)


def allowed_transitions(state: AlarmState | str) -> tuple[Transition, ...]:
    return _ALLOWED[AlarmState(state)]


class StepState(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"


class IncidentCategory(StrEnum):
    """Categories of the incident a rule suggests (the incidents domain's codes)."""

    THEFT = "theft"
    HOOLIGANISM = "hooliganism"
    DOMESTIC_CONFLICT = "domestic_conflict"
    TRAFFIC_ACCIDENT = "traffic_accident"
    PUBLIC_ORDER = "public_order"
    MISSING_PERSON = "missing_person"
    SCHOOL_ALARM = "school_alarm"
    SOS_CALL = "sos_call"
    BURGLARY = "burglary"
    FIRE = "fire"
    OTHER = "other"


class AlarmAction(StrEnum):
    """Audit actions of the alarm desk: changes to what turns signals into alarms."""

    RULE_CREATE = "alarms.rule_create"
    RULE_UPDATE = "alarms.rule_update"
    RULE_DELETE = "alarms.rule_delete"
