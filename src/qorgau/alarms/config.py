"""The alarm desk's settings in one frozen object: what sounds, how repeats fold, when alarms escalate."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from qorgau.core.settings import Settings, get_settings

SUPERVISOR_ROLE = "supervisor"


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
    def from_settings(cls, settings: Settings) -> AlarmsConfig:
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
    return AlarmsConfig.from_settings(get_settings())
