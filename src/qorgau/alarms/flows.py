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

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from qorgau.alarms import config as alarms_config
from qorgau.alarms import rules, service
from qorgau.alarms.config import AlarmsConfig
from qorgau.core.bus import Context, Event
from qorgau.core.bus.dispatch import Subscriber
from qorgau.core.time import utcnow

SUBSCRIBER = "alarms.rules"


def context_for(event: Event[Any]) -> Context:
    """Our reaction: same causal chain, the signal as parent, simulated when the signal was."""
    return Context(actor="system:alarms", simulated=event.context.simulated).caused_by(event)


class RuleFlow:
    """Applies the alarm rules to a burst of events in one transaction (the config is read per burst: settings
    may be reloaded). The open alarms the burst may fold into are found in one query; new alarms are inserted in
    one statement and their events published in another (`service.Announcements`)."""

    def __init__(self, config: Callable[[], AlarmsConfig] = alarms_config.current) -> None:
        self.config = config

    def __call__(self, session: Session, event: Event[Any]) -> None:
        self.burst(session, [event])

    def burst(self, session: Session, events: Sequence[Event[Any]]) -> None:
        signals = [(event, signal) for event in events if (signal := rules.signal_of(event)) is not None]
        if not signals:
            return
        config = self.config()
        raising = [(event, signal) for event, signal in signals if not signal.restore]
        latest = service.foldable_many(session, {signal.fold_key for _, signal in raising},
                                       min((event.recorded_at for event, _ in raising), default=utcnow()), config)
        out = service.Announcements()
        for event, signal in signals:
            ctx = context_for(event)
            if signal.restore:
                service.restore(session, fold_key=signal.fold_key, at=event.recorded_at, ctx=ctx, out=out)
                continue
            place = rules.place_of(session, signal.device_code)
            rule = rules.rule_for(session, signal, place, event.occurred_at, config.zone)
            if rule is None:
                continue
            # The same as `service.foldable` per signal, with this burst's own alarms counted in.
            open_alarm = latest.get(signal.fold_key) if config.fold_window_s > 0 else None
            if open_alarm is not None and open_alarm.last_at >= event.recorded_at - config.fold_window:
                service.fold(session, alarm=open_alarm, signal=signal, event=event, ctx=ctx, config=config, out=out)
            else:
                latest[signal.fold_key] = service.raise_alarm(session, signal=signal, rule=rule, place=place,
                                                              event=event, ctx=ctx, config=config, out=out)
        out.publish(session)


def subscriber(config: Callable[[], AlarmsConfig] = alarms_config.current) -> Subscriber:
    flow = RuleFlow(config)
    return Subscriber(SUBSCRIBER, flow, rules.RULE_EVENT_NAMES, batch=flow.burst)


def subscribers() -> list[Subscriber]:
    return [subscriber()]
