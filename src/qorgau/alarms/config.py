"""The alarm desk's settings (`QORGAU_ALARM_*`) and the frozen object the rules read: what sounds, folds, escalates."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from qorgau.core import settings as core_settings
from qorgau.core.settings import CoreSettings

SUPERVISOR_ROLE = "supervisor"


class AlarmsSettings(CoreSettings):
    """The alarm desk: which alarms sound, how repeats fold, when unacknowledged alarms escalate."""

    section: ClassVar[str] = "Alarms"

    alarm_sound_max_priority: int = Field(
        default=20, ge=0, le=255, title="Alarm priorities that sound",
        description="Alarms of priority 1 (highest) up to this one sound on the operator's desk; 0: none sound.",
    )
    alarm_fold_window_s: int = Field(
        default=120, ge=0, title="Alarm flood-control window",
        description="A repeat of the same device and event this many seconds after the last one folds into the "
                    "open alarm (count and latest time) instead of raising another; 0: never fold.",
    )
    alarm_escalation_s: dict[int, int] = Field(
        default={20: 60, 255: 300}, title="Alarm escalation intervals",
        description="JSON: priority bracket (up to and including the key) → seconds a new alarm may stay "
                    "unacknowledged before it is escalated to the supervisor, and again every as many seconds. "
                    "Must cover priority 255.",
    )

    @field_validator("alarm_escalation_s")
    @classmethod
    def _escalation_brackets(cls, value: dict[int, int]) -> dict[int, int]:
        if not value or any(not 1 <= key <= 255 or seconds <= 0 for key, seconds in value.items()):
            raise ValueError("alarm escalation needs priorities 1..255 as keys and positive seconds")
        if max(value) != 255:
            raise ValueError("alarm escalation brackets must cover priority 255")
        return dict(sorted(value.items()))


class AlarmsConfig(BaseModel):
    """Taken from the installation's settings (`QORGAU_ALARM_*`); tests build their own."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sound_max_priority: int = Field(default=20, ge=0, le=255, description="Priorities 1..this sound on the desk.")
    fold_window_s: int = Field(default=120, ge=0, description="Repeats this close to the last one fold.")
    escalation_s: dict[int, int] = Field(
        default={20: 60, 255: 300},
        description="Up to this priority (key) escalate after these seconds (value), and again every as many.",
    )
    time_zone: str = Field(default="Asia/Oral", description="Zone of the rules' local hours.")

    @classmethod
    def from_settings(cls, settings: AlarmsSettings) -> AlarmsConfig:
        return cls(sound_max_priority=settings.alarm_sound_max_priority, fold_window_s=settings.alarm_fold_window_s,
                   escalation_s=settings.alarm_escalation_s, time_zone=settings.time_zone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def fold_window(self) -> timedelta:
        return timedelta(seconds=self.fold_window_s)

    def sounds(self, priority: int) -> bool:
        return priority <= self.sound_max_priority

    def escalation_after(self, priority: int) -> timedelta:
        """The escalation interval of the first bracket that covers ``priority`` (the widest if none does)."""
        for up_to in sorted(self.escalation_s):
            if priority <= up_to:
                return timedelta(seconds=self.escalation_s[up_to])
        return timedelta(seconds=self.escalation_s[max(self.escalation_s)])


def current() -> AlarmsConfig:
    """The process's alarm settings (subscribers and periodic jobs get no request to read them from)."""
    return AlarmsConfig.from_settings(core_settings.current(AlarmsSettings))
