"""The alarm settings: what sounds, the fold window, escalation brackets from the environment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qorgau.alarms.config import AlarmsConfig
from qorgau.core.errors import ConfigError
from qorgau.settings import load_settings


def test_defaults_sound_priorities_one_to_twenty_and_escalate_them_after_a_minute() -> None:
    config = AlarmsConfig.from_settings(load_settings())
    assert config.sounds(1) and config.sounds(20) and not config.sounds(21)
    assert config.escalation_after(1) == timedelta(seconds=60)
    assert config.escalation_after(21) == timedelta(seconds=300) == config.escalation_after(255)
    assert config.fold_window == timedelta(seconds=120)


def test_escalation_brackets_come_as_json_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QORGAU_ALARM_ESCALATION_S", '{"5": 30, "255": 600}')
    monkeypatch.setenv("QORGAU_ALARM_SOUND_MAX_PRIORITY", "5")
    config = AlarmsConfig.from_settings(load_settings())
    assert config.escalation_after(5) == timedelta(seconds=30) and config.escalation_after(6) == timedelta(seconds=600)
    assert not config.sounds(6)
    monkeypatch.setenv("QORGAU_ALARM_ESCALATION_S", '{"20": 60}')
    with pytest.raises(ConfigError, match="alarm_escalation_s"):
        load_settings()
    monkeypatch.setenv("QORGAU_ALARM_ESCALATION_S", '{"255": 0}')
    with pytest.raises(ConfigError, match="alarm_escalation_s"):
        load_settings()
