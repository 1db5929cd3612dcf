"""Daily rhythms of Aksai: how often each kind of signal happens at a given local hour and weekday.

Rates are per device (or per town for 102 calls) per day at a flat hour; the hourly profile multiplies them so
that a day's profile averages 1. Shapes follow what a district ЦОУ sees: school panic buttons and turnstiles live
in school hours on school days, intrusion alarms at night, 102 calls peak in the evening and on weekend nights,
traffic accidents around the Karachaganak field's shift changes (the buses leave Aksai before 08:00 and 20:00).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class Family(StrEnum):
    """A kind of background signal, each with its own daily profile."""

    PANIC = "panic"
    DURESS = "duress"
    FIRE = "fire"
    BURGLARY = "burglary"
    TAMPER = "tamper"
    TROUBLE = "trouble"  # AC loss, low battery
    ACCESS = "access"
    ACCESS_FAULT = "access_fault"  # denied, forced, held open
    SOS = "sos"
    CALL_102 = "call_102"
    TRAFFIC_CALL = "traffic_call"


def _normalised(values: tuple[float, ...]) -> tuple[float, ...]:
    mean = sum(values) / len(values)
    return tuple(v / mean for v in values)


# Hour 0 … 23, local time.
_SCHOOL = _normalised((0.05,) * 7 + (1.5, 3.0, 2.5, 2.0, 2.0, 2.5, 2.0, 2.0, 1.5, 1.0, 0.8, 0.5) + (0.1,) * 5)
_NIGHT = _normalised((3.0,) * 5 + (2.0, 1.0) + (0.3,) * 12 + (0.8, 1.5, 2.0, 2.5, 3.0))
_FLAT = (1.0,) * 24
_TURNSTILE = _normalised((0.0,) * 7 + (4.0, 6.0, 1.5, 1.0, 1.0, 3.0, 3.5, 1.0, 1.0, 1.5, 2.5, 1.0, 0.5, 0.2, 0.1)
                         + (0.0,) * 2)
_EVENING = _normalised((1.6, 1.2, 0.9, 0.6, 0.4, 0.3, 0.4, 0.6, 0.8, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.3,
                        1.5, 1.7, 1.8, 1.8, 1.8, 1.7))
_SHIFTS = _normalised((0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 1.5, 2.8, 1.8, 1.0, 0.8, 0.8, 0.9, 0.9, 0.8, 0.9, 1.0, 1.2,
                       1.6, 2.6, 1.8, 1.0, 0.6, 0.4))

PROFILE: dict[Family, tuple[float, ...]] = {
    Family.PANIC: _SCHOOL, Family.DURESS: _SCHOOL, Family.FIRE: _FLAT, Family.BURGLARY: _NIGHT,
    Family.TAMPER: _FLAT, Family.TROUBLE: _FLAT, Family.ACCESS: _TURNSTILE, Family.ACCESS_FAULT: _TURNSTILE,
    Family.SOS: _EVENING, Family.CALL_102: _EVENING, Family.TRAFFIC_CALL: _SHIFTS,
}

# Events per device per day (per town for calls) at a realistic pace; the demo's intensity scales them all.
PER_DAY: dict[Family, float] = {
    Family.PANIC: 0.08, Family.DURESS: 0.004, Family.FIRE: 0.002, Family.BURGLARY: 0.02, Family.TAMPER: 0.01,
    Family.TROUBLE: 0.02, Family.ACCESS: 400.0, Family.ACCESS_FAULT: 6.0, Family.SOS: 0.3,
    Family.CALL_102: 45.0, Family.TRAFFIC_CALL: 6.0,
}

SCHOOL_ONLY = frozenset({Family.PANIC, Family.DURESS, Family.ACCESS, Family.ACCESS_FAULT})
WEEKEND_FACTOR: dict[Family, float] = {Family.CALL_102: 1.25, Family.BURGLARY: 1.3, Family.SOS: 1.3,
                                       Family.TRAFFIC_CALL: 0.6}


def is_school_day(local: datetime) -> bool:
    return local.weekday() < 5


def rate_per_s(family: Family, local: datetime, *, at_school: bool = False) -> float:
    """Events per second of one device (one town for calls) of ``family`` at this local hour and weekday."""
    weekend = local.weekday() >= 5
    per_day = PER_DAY[family]
    if family in SCHOOL_ONLY and at_school and weekend:
        per_day *= 0.05  # closed: the odd watchman or weekend club
    elif weekend:
        per_day *= WEEKEND_FACTOR.get(family, 1.0)
    if family in SCHOOL_ONLY and not at_school:
        return per_day / 86_400.0  # not a school: no school-day shape
    return per_day * PROFILE[family][local.hour] / 86_400.0
