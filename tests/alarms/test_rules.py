"""Rule matching: conditions on the payload, the device and its site, local hours; the winning rule."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from qorgau.alarms import rules
from qorgau.alarms.models import AlarmRule
from qorgau.alarms.rulebook import apply_fields
from qorgau.alarms.rules import Place, Signal
from qorgau.alarms.schemas import RuleFields
from qorgau.alarms.seed import RULES
from qorgau.core.bus import Context
from qorgau.core.bus.types import new_event
from qorgau.devices.enums import DeviceKind, Health, HealthReason
from qorgau.devices.events import HEALTH_CHANGED, HealthChanged
from qorgau.ingest.events import PANEL_EVENT
from tests.alarms.conftest import panel_signal

ORAL = ZoneInfo("Asia/Oral")  # UTC+5 all year
SCHOOL = Place("alarm_panel", None, "OBJ-01", "social_object", "school", 53.0, 51.0)
KINDERGARTEN = Place("alarm_panel", None, "OBJ-02", "social_object", "kindergarten", 53.0, 51.0)


def _rule(**fields: Any) -> AlarmRule:
    body = {"code": "rule", "name_kk": "r", "name_ru": "r", "event": "ingest.panel_event", "priority": 50,
            "alarm_kind": "panic", **fields}
    rule = AlarmRule()
    apply_fields(rule, RuleFields.model_validate(body))
    return rule


def _panel(kind: str = "panic", **extra: Any) -> Signal:
    found = rules.signal_of(new_event(PANEL_EVENT, subject_id="PNL-01", payload=panel_signal(kind, **extra),
                                      ctx=Context.system("test")))
    assert found is not None
    return found


DEFAULTS = [_rule(**f.model_dump()) for f in RULES]


def test_a_panel_event_becomes_a_signal_with_its_fold_key_and_fields() -> None:
    found = _panel("duress")
    assert found.signal == "duress" and not found.restore and found.device_code == "PNL-01"
    assert found.fold_key == "ingest.panel_event|PNL-01|duress"
    assert found.fields["kind"] == "duress" and found.fields["zone_kind"] == "panic"
    assert found.fields["restore"] == "false" and "sequence" not in found.fields


def test_payload_device_and_site_conditions_must_all_hold() -> None:
    rule = _rule(match={"kind": ["panic", "silent_panic"]}, site_kind="social_object", site_subtype="school")
    assert rules.matches(rule, _panel("panic"), SCHOOL, 600)
    assert rules.matches(rule, _panel("silent_panic"), SCHOOL, 600)
    assert not rules.matches(rule, _panel("fire"), SCHOOL, 600)
    assert not rules.matches(rule, _panel("panic"), KINDERGARTEN, 600)
    assert not rules.matches(rule, _panel("panic"), Place(), 600)  # unknown device: site conditions fail
    assert rules.matches(_rule(match={"zone_kind": ["panic"]}), _panel("unknown"), Place(), 0)
    assert not rules.matches(_rule(device_kind="camera"), _panel(), SCHOOL, 0)
    assert not rules.matches(_rule(enabled=False), _panel(), SCHOOL, 0)


@pytest.mark.parametrize(("start", "end", "inside", "outside"), [
    (time(8), time(18), [480, 1079], [479, 1080, 0]),
    (time(19), time(7), [1140, 1439, 0, 419], [420, 1139, 720]),  # wraps past midnight
])
def test_local_hours_window(start: time, end: time, inside: list[int], outside: list[int]) -> None:
    rule = _rule(active_from=start, active_to=end)
    assert all(rules.in_hours(rule, m) for m in inside)
    assert not any(rules.in_hours(rule, m) for m in outside)
    assert rules.in_hours(_rule(), 123)


def test_local_hours_are_judged_in_the_configured_zone() -> None:
    # 14:30 UTC is 19:30 in Aksai: night-time intrusion wins over the day rule; 01:30 UTC is 06:30, still night.
    assert rules.local_minute(datetime(2025, 3, 1, 14, 30, tzinfo=UTC), ORAL) == 19 * 60 + 30
    night = rules.choose(DEFAULTS, _panel("burglary"), SCHOOL, rules.local_minute(
        datetime(2025, 3, 1, 14, 30, tzinfo=UTC), ORAL))
    day = rules.choose(DEFAULTS, _panel("burglary"), SCHOOL, rules.local_minute(
        datetime(2025, 3, 1, 6, 0, tzinfo=UTC), ORAL))
    assert night is not None and night.code == "burglary_night" and night.priority == 15
    assert day is not None and day.code == "burglary" and day.priority == 50


def test_highest_priority_wins_then_the_more_specific() -> None:
    at_school = rules.choose(DEFAULTS, _panel("panic"), SCHOOL, 600)
    elsewhere = rules.choose(DEFAULTS, _panel("panic"), KINDERGARTEN, 600)
    assert at_school is not None and (at_school.code, at_school.priority) == ("school_panic", 1)
    assert elsewhere is not None and (elsewhere.code, elsewhere.priority) == ("object_panic", 5)
    general = _rule(code="a_general", priority=7)
    specific = _rule(code="z_specific", priority=7, match={"kind": ["panic"]})
    chosen = rules.choose([general, specific], _panel(), SCHOOL, 0)
    assert chosen is not None and chosen.code == "z_specific"
    assert rules.choose(DEFAULTS, _panel("close"), SCHOOL, 0) is None


def test_health_changes_offline_and_back() -> None:
    def health(previous: Health, current: Health) -> Signal:
        payload = HealthChanged(code="CAM-0001", kind=DeviceKind.CAMERA, previous=previous, current=current,
                                last_seen_at=None, reason=HealthReason.SILENT)
        found = rules.signal_of(new_event(HEALTH_CHANGED, subject_id="CAM-0001", payload=payload,
                                          ctx=Context.system("test")))
        assert found is not None
        return found

    offline, back = health(Health.ONLINE, Health.OFFLINE), health(Health.OFFLINE, Health.ONLINE)
    assert (offline.signal, offline.restore) == ("offline", False)
    assert (back.signal, back.restore) == ("offline", True) and back.fold_key == offline.fold_key
    camera = Place("camera", "public_space")
    chosen = rules.choose(DEFAULTS, offline, camera, 0)
    assert chosen is not None and chosen.code == "device_offline"
    chosen = rules.choose(DEFAULTS, offline, Place("alarm_panel"), 0)
    assert chosen is not None and chosen.code == "panel_offline"
    assert health(Health.UNKNOWN, Health.ONLINE).restore is False


def test_default_rules_use_only_fields_their_events_have() -> None:
    for fields in RULES:
        assert set(fields.match) <= rules.condition_fields(fields.event), fields.code
    codes = [f.code for f in RULES]
    assert len(codes) == len(set(codes))
