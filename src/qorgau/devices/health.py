"""Device health: heartbeats, supervision of silent devices, and the `devices.health_changed` event.

Every change of health goes through :func:`change`, which publishes the event in the caller's transaction, so
the event log is the one place alarm rules learn that a device went offline or came back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from qorgau.core.bus import Context, publish
from qorgau.core.errors import Conflict, NotFound
from qorgau.core.time import utcnow
from qorgau.devices import revision
from qorgau.devices.config import DEFAULTS
from qorgau.devices.enums import SUPERVISED_LIFECYCLES, WATCHED_HEALTH, DeviceKind, Health, HealthReason, Lifecycle
from qorgau.devices.events import HEALTH_CHANGED, HealthChanged
from qorgau.devices.models import Device

SUPERVISION_BATCH = 500


def interval(device: Device) -> timedelta:
    """How long the device may stay silent before it counts as offline."""
    return timedelta(seconds=DEFAULTS.interval_for(device.kind, device.supervision_interval_s))


def change(session: Session, device: Device, current: Health, reason: HealthReason, *, ctx: Context,
           now: datetime, detail: str | None = None) -> bool:
    """Set the device's health; publish `devices.health_changed` if it differs. Returns whether it changed."""
    previous = Health(device.health)
    if previous == current:
        return False
    device.health = str(current)
    device.health_changed_at = now
    revision.bump(session, health=True)
    if device.simulated and not ctx.simulated:
        # Whoever noticed (supervision, a heartbeat, the ingest), a simulated device's health is simulated too.
        ctx = ctx.model_copy(update={"simulated": True})
    payload = HealthChanged(code=device.code, kind=DeviceKind(device.kind), previous=previous, current=current,
                            last_seen_at=device.last_seen_at, reason=reason, detail=detail)
    publish(session, HEALTH_CHANGED, subject_id=device.code, payload=payload, ctx=ctx, occurred_at=now)
    return True


def heartbeat(session: Session, *, code: str, status: Health = Health.ONLINE, detail: str | None = None,
              ctx: Context, now: datetime | None = None) -> Device:
    """The device is alive: remember when, push its offline deadline, and mark it online or degraded."""
    now = now or utcnow()
    # Row lock (PostgreSQL) so a concurrent supervision pass waits and then sees the new deadline.
    query = (select(Device).where(Device.code == code.strip().upper()).options(lazyload("*"))
             .with_for_update(of=Device))
    device = session.scalars(query).one_or_none()
    if device is None:
        raise NotFound("devices.not_found", params={"code": code})
    if device.lifecycle == Lifecycle.DECOMMISSIONED:
        raise Conflict("devices.decommissioned", params={"code": device.code})
    device.last_seen_at = now
    device.offline_after = now + interval(device)
    reason = HealthReason.HEARTBEAT if status == Health.ONLINE else HealthReason.REPORTED_DEGRADED
    change(session, device, status, reason, ctx=ctx, now=now, detail=detail)
    return device


def supervise(session: Session, *, now: datetime | None = None, ctx: Context | None = None) -> list[str]:
    """Mark devices in service that stayed silent past their interval offline; returns their codes."""
    now = now or utcnow()
    ctx = ctx or Context.system("devices.supervision")
    query = (
        select(Device)
        .where(Device.offline_after < now, Device.health.in_([str(h) for h in WATCHED_HEALTH]),
               Device.lifecycle.in_([str(s) for s in SUPERVISED_LIFECYCLES]))
        .order_by(Device.offline_after)
        .limit(SUPERVISION_BATCH)
        .options(lazyload("*"))
        .with_for_update(of=Device)
    )
    went_offline = []
    for device in session.scalars(query):
        silent = int((now - device.last_seen_at).total_seconds()) if device.last_seen_at else None
        detail = f"silent for {silent} s" if silent is not None else None
        if change(session, device, Health.OFFLINE, HealthReason.SILENT, ctx=ctx, now=now, detail=detail):
            went_offline.append(device.code)
    return went_offline

