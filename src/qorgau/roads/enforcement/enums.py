"""Fixed vocabularies of enforcement: kinds, review states and decisions, rejection reasons, signal phases."""

from __future__ import annotations

from enum import StrEnum


class ViolationKind(StrEnum):
    SPEED = "speed"  # spot speed at a speed point
    SECTION_SPEED = "section_speed"  # average speed between two points
    RED_LIGHT = "red_light"


class ViolationStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Decision(StrEnum):
    CONFIRM = "confirm"
    REJECT = "reject"


class RejectReason(StrEnum):
    """Why an officer rejects a violation; the order is the desk's number keys 1..6."""

    PLATE_UNREADABLE = "plate_unreadable"
    PLATE_MISREAD = "plate_misread"
    WRONG_VEHICLE = "wrong_vehicle"  # the measurement belongs to another vehicle in the picture
    MEASUREMENT_DOUBTFUL = "measurement_doubtful"
    EXEMPT_VEHICLE = "exempt_vehicle"  # police, ambulance, fire with lights on
    EVIDENCE_INCOMPLETE = "evidence_incomplete"


class SignalPhase(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    OFF = "off"  # flashing amber or dark: no red-light violation is possible


class LimitSource(StrEnum):
    """Where a speed point's limit came from: its own setting, the road's OSM maxspeed, the default."""

    POINT = "point"
    ROAD = "road"
    DEFAULT = "default"


class PhaseSource(StrEnum):
    CONTROLLER = "controller"  # reported by the intersection's controller (HTTP)
    PICTURE = "picture"  # read from the signal head's ROI in the camera picture
