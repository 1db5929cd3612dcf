"""Vocabulary of the device registry."""

from __future__ import annotations

from enum import StrEnum


class SiteKind(StrEnum):
    SOCIAL_OBJECT = "social_object"
    POLICE_POST = "police_post"  # модульный опорный пункт (МОП)
    RECEPTION_POINT = "reception_point"  # участковый пункт полиции (УПП): where district inspectors receive
    SITUATION_CENTER = "situation_center"
    INTERSECTION = "intersection"
    SPEED_POINT = "speed_point"
    CITY_ENTRY = "city_entry"
    PUBLIC_AREA = "public_area"


class SiteSubtype(StrEnum):
    """What a social object is; other site kinds have none."""

    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    COLLEGE = "college"
    HOSPITAL = "hospital"
    POLYCLINIC = "polyclinic"
    AKIMAT = "akimat"
    STATE_INSTITUTION = "state_institution"


class DeviceKind(StrEnum):
    CAMERA = "camera"
    SOS_TERMINAL = "sos_terminal"
    ALARM_PANEL = "alarm_panel"
    ACCESS_POINT = "access_point"  # turnstile


class CameraPurpose(StrEnum):
    PUBLIC_SPACE = "public_space"
    YARD = "yard"
    INTERSECTION = "intersection"
    SPEED = "speed"
    CITY_ENTRY_ANPR = "city_entry_anpr"
    SOCIAL_OBJECT = "social_object"
    POLICE_POST = "police_post"
    SITUATION_CENTER = "situation_center"


class Lifecycle(StrEnum):
    PLANNED = "planned"
    INSTALLED = "installed"
    COMMISSIONED = "commissioned"
    DECOMMISSIONED = "decommissioned"


class Health(StrEnum):
    ONLINE = "online"
    DEGRADED = "degraded"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


class Protocol(StrEnum):
    """Protocols whose identifiers must be unique in the registry."""

    DC09 = "dc09"
    MQTT = "mqtt"
    SIP = "sip"


class ZoneKind(StrEnum):
    PANIC = "panic"
    DURESS = "duress"
    DOOR = "door"
    WINDOW = "window"
    MOTION = "motion"
    FIRE = "fire"
    TAMPER = "tamper"
    OTHER = "other"


class HealthReason(StrEnum):
    """Why a device's health changed (the `reason` of `devices.health_changed`)."""

    HEARTBEAT = "heartbeat"
    REPORTED_DEGRADED = "reported_degraded"
    SILENT = "silent"
    DECOMMISSIONED = "decommissioned"
    # A camera's picture, judged by its video worker (ADR 0029): it delivers frames, but they show nothing useful.
    PICTURE_FROZEN = "picture_frozen"
    PICTURE_COVERED = "picture_covered"
    PICTURE_DEFOCUSED = "picture_defocused"
    PICTURE_MOVED = "picture_moved"


class DeviceAction(StrEnum):
    """Audit actions of the device registry (security-relevant writes only)."""

    CREDENTIALS_CHANGE = "devices.credentials_change"
    DECOMMISSION = "devices.decommission"
    IMPORT = "devices.import"
    EXPORT = "devices.export"


SUPERVISED_LIFECYCLES = (Lifecycle.INSTALLED, Lifecycle.COMMISSIONED)
WATCHED_HEALTH = (Health.ONLINE, Health.DEGRADED)
