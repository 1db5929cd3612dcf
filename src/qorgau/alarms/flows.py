"""Signals to alarms: the durable subscriber that applies the rules to what devices report.

For each ingest signal and each `devices.health_changed`:
- a restore (panel restore qualifier, device back online from offline) marks the open alarms of that device
  and event restored: escalation stops, but the alarm stays on the desk until an operator resolves it, since
  an outage or a tamper that healed itself may still have been sabotage;
- otherwise the winning rule (if any) raises an alarm, or the repeat folds into the open alarm of the same
  device and event when it came within the fold window.
Alarm events are published in the same transaction as the change, caused by the signal's event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from qorgau.alarms import config as alarms_config
from qorgau.alarms import rules, service
from qorgau.alarms.config import AlarmsConfig
from qorgau.core.bus import Context, Event
from qorgau.core.bus.dispatch import Subscriber

SUBSCRIBER = "alarms.rules"


def context_for(event: Event[Any]) -> Context:
    """Our reaction: same causal chain, the signal as parent, simulated when the signal was."""
    return Context(actor="system:alarms", simulated=event.context.simulated).caused_by(event)


class RuleFlow:
    """Applies the alarm rules to one event at a time (the config is read per event: settings may be reloaded)."""

    def __init__(self, config: Callable[[], AlarmsConfig] = alarms_config.current) -> None:
        self.config = config

    def __call__(self, session: Session, event: Event[Any]) -> None:
        signal = rules.signal_of(event)
        if signal is None:
            return
        ctx = context_for(event)
        if signal.restore:
            service.restore(session, fold_key=signal.fold_key, at=event.recorded_at, ctx=ctx)
            return
        config = self.config()
        place = rules.place_of(session, signal.device_code)
        rule = rules.rule_for(session, signal, place, event.occurred_at, config.zone)
        if rule is None:
            return
        open_alarm = service.foldable(session, signal.fold_key, event.recorded_at, config)
        if open_alarm is not None:
            service.fold(session, alarm=open_alarm, signal=signal, event=event, ctx=ctx, config=config)
        else:
            service.raise_alarm(session, signal=signal, rule=rule, place=place, event=event, ctx=ctx, config=config)


def subscriber(config: Callable[[], AlarmsConfig] = alarms_config.current) -> Subscriber:
    return Subscriber(SUBSCRIBER, RuleFlow(config), rules.RULE_EVENT_NAMES)


def subscribers() -> list[Subscriber]:
    return [subscriber()]
