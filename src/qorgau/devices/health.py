"""Device health: heartbeats, supervision of silent devices, and the `devices.health_changed` event.

Every change of health goes through :func:`change`, which publishes the event in the caller's transaction, so
the event log is the one place alarm rules learn that a device went offline or came back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, lazyload

from qorgau.core.bus import Context, publish
from qorgau.core.errors import Conflict, NotFound, QorgauError
from qorgau.core.time import utcnow
from qorgau.devices import revision
from qorgau.devices.config import DEFAULTS
from qorgau.devices.enums import SUPERVISED_LIFECYCLES, WATCHED_HEALTH, DeviceKind, Health, HealthReason, Lifecycle
from qorgau.devices.events import HEALTH_CHANGED, HealthChanged
from qorgau.devices.models import Device

log = logging.getLogger(__name__)

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


@dataclass(frozen=True, slots=True)
class Sighting:
    """A device seen alive by the ingest, in plain values (so a batch can cross to a writer process)."""

    device_id: int
    code: str
    interval_s: int  # its supervision interval, as the ingest's directory resolved it
    status: Health = Health.ONLINE
    detail: str | None = None


def seen(session: Session, sightings: Sequence[Sighting], *, now: datetime) -> None:
    """Many devices seen alive at ``now``: those online already in one UPDATE per interval, the others one by one.

    The ingest's hot path: a batch of plain heartbeats of online devices costs one statement, not a read and a
    write per device. A device not (or no longer) online, or a degraded report, goes through :func:`heartbeat`,
    which publishes the change; one that was decommissioned or removed meanwhile is skipped (logged).
    """
    plain = [s for s in sightings if s.status == Health.ONLINE]
    by_interval: dict[int, list[int]] = {}
    for sighting in plain:
        by_interval.setdefault(sighting.interval_s, []).append(sighting.device_id)
    for interval_s, ids in by_interval.items():
        session.execute(update(Device).where(Device.id.in_(ids), Device.health == Health.ONLINE)
                        .values(last_seen_at=now, offline_after=now + timedelta(seconds=interval_s))
                        .execution_options(synchronize_session=False))
    ids = [s.device_id for s in plain]
    not_online = set(session.scalars(select(Device.id).where(Device.id.in_(ids), Device.health != Health.ONLINE)))
    for sighting in sightings:
        if sighting.status == Health.ONLINE and sighting.device_id not in not_online:
            continue
        try:
            with session.begin_nested():
                heartbeat(session, code=sighting.code, status=sighting.status, detail=sighting.detail,
                          ctx=Context(actor=f"device:{sighting.code}"), now=now)
        except QorgauError:
            # Decommissioned or removed since the ingest's directory was read: its events are still kept.
            log.info("heartbeat of a device no longer in service", extra={"device": sighting.code})


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

