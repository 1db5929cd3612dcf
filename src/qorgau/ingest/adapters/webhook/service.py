"""Webhook integrations (create, change, rotate) and recording their events; nothing here commits."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer

from qorgau.audit import service as audit
from qorgau.core.bus import Context, publish_batch
from qorgau.core.bus.types import new_event
from qorgau.core.errors import Conflict, NotFound, QorgauError
from qorgau.core.time import utcnow
from qorgau.devices import health as device_health
from qorgau.devices import service as device_service
from qorgau.ingest.adapters.webhook import parser
from qorgau.ingest.adapters.webhook.config import DEFAULTS, NAME_PATTERN
from qorgau.ingest.adapters.webhook.models import WebhookIntegration, WebhookReceipt
from qorgau.ingest.adapters.webhook.parser import Reason, WebhookRejected
from qorgau.ingest.adapters.webhook.schemas import (
    IntegrationCreate,
    IntegrationPatch,
    IntegrationRead,
    IntegrationSecret,
    VendorEventIn,
)
from qorgau.ingest.events import VENDOR_EVENT, VendorEvent

SECRET_PREFIX = "qwh_"  # noqa: S105 - a prefix that secret scanners recognise, not a secret
_NAME = re.compile(NAME_PATTERN)


@dataclass(frozen=True, slots=True)
class Verified:
    """An integration whose signature checked out, with what its events are checked against."""

    integration_id: int
    name: str
    allowed_types: tuple[str, ...]
    device_map: dict[str, str]


@dataclass(frozen=True, slots=True)
class Recorded:
    event_id: uuid.UUID
    duplicate: bool


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(DEFAULTS.secret_bytes)


def get(session: Session, name: str) -> WebhookIntegration:
    row = session.scalars(select(WebhookIntegration).where(WebhookIntegration.name == name)).one_or_none() \
        if _NAME.match(name) else None
    if row is None:
        raise NotFound("webhooks.not_found", params={"name": name[:64]})
    return row


def page(session: Session, *, after: str | None, limit: int) -> list[WebhookIntegration]:
    query = select(WebhookIntegration).order_by(WebhookIntegration.name).limit(limit)
    if after is not None:
        query = query.where(WebhookIntegration.name > after)
    return list(session.scalars(query))


def to_read(row: WebhookIntegration) -> IntegrationRead:
    return IntegrationRead.model_validate(row)


def with_secret(row: WebhookIntegration, secret: str) -> IntegrationSecret:
    return IntegrationSecret(**to_read(row).model_dump(), secret=secret)


def _check_map(session: Session, device_map: dict[str, str]) -> None:
    known = device_service.existing(session, list(device_map.values()))
    missing = sorted({code for code in device_map.values() if code not in known})
    if missing:
        raise QorgauError("webhooks.map_unknown_devices", status=422, params={"codes": ", ".join(missing[:10])},
                          errors=[{"field": "device_map", "message": code} for code in missing[:100]])


def create(session: Session, *, integration_in: IntegrationCreate, actor: audit.Actor,
           now: datetime | None = None) -> tuple[WebhookIntegration, str]:
    """A new integration and its secret (the only time the secret is returned)."""
    now = now or utcnow()
    if session.scalar(select(WebhookIntegration.id).where(WebhookIntegration.name == integration_in.name)):
        raise Conflict("webhooks.exists", params={"name": integration_in.name})
    _check_map(session, integration_in.device_map)
    secret = new_secret()
    row = WebhookIntegration(
        name=integration_in.name, description=integration_in.description, secret=secret, previous_secret=None,
        previous_secret_until=None, enabled=integration_in.enabled, event_types=integration_in.event_types,
        device_map=dict(integration_in.device_map), created_at=now, updated_at=now, secret_rotated_at=now,
        last_used_at=None,
    )
    session.add(row)
    session.flush()
    audit.record(session, action="webhooks.create", actor=actor, target_type="webhook_integration",
                 target_id=row.name, details={"enabled": row.enabled, "event_types": row.event_types,
                                              "mapped_devices": len(row.device_map)})
    return row, secret


def update(session: Session, *, name: str, patch: IntegrationPatch, actor: audit.Actor,
           now: datetime | None = None) -> WebhookIntegration:
    """Change description, enabled, event types or device mapping; fields left out keep their values."""
    row = get(session, name)
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    if changes.get("device_map") is not None:
        _check_map(session, changes["device_map"])
    if "enabled" in changes and changes["enabled"] is None:
        del changes["enabled"]
    if "device_map" in changes and changes["device_map"] is None:
        changes["device_map"] = {}
    changed = sorted(key for key, value in changes.items() if getattr(row, key) != value)
    for key in changed:
        setattr(row, key, changes[key])
    if changed:
        row.updated_at = now or utcnow()
        audit.record(session, action="webhooks.update", actor=actor, target_type="webhook_integration",
                     target_id=row.name, details={"changed": changed, "enabled": row.enabled})
    return row


def rotate(session: Session, *, name: str, grace_s: int, actor: audit.Actor,
           now: datetime | None = None) -> tuple[WebhookIntegration, str]:
    """A fresh secret; the current one stays valid ``grace_s`` seconds (0: refused at once)."""
    now = now or utcnow()
    row = session.scalars(select(WebhookIntegration).where(WebhookIntegration.name == name)
                          .options(undefer(WebhookIntegration.secret))).one_or_none() if _NAME.match(name) else None
    if row is None:
        raise NotFound("webhooks.not_found", params={"name": name[:64]})
    secret = new_secret()
    row.previous_secret = row.secret if grace_s > 0 else None
    row.previous_secret_until = now + timedelta(seconds=grace_s) if grace_s > 0 else None
    row.secret = secret
    row.secret_rotated_at = row.updated_at = now
    audit.record(session, action="webhooks.rotate", actor=actor, target_type="webhook_integration",
                 target_id=row.name, details={"grace_s": grace_s})
    return row, secret


def authenticate(session: Session, *, name: str, timestamp: str | None, signature: str | None, body: bytes,
                 now: datetime, tolerance_s: int) -> Verified:
    """The enabled integration ``name`` if the request is signed with its secret in time; else WebhookRejected.

    Unknown and disabled integrations are refused alike, so a caller cannot tell them apart.
    """
    row = None
    if _NAME.match(name):
        row = session.scalars(
            select(WebhookIntegration).where(WebhookIntegration.name == name, WebhookIntegration.enabled)
            .options(undefer(WebhookIntegration.secret), undefer(WebhookIntegration.previous_secret))
        ).one_or_none()
    if row is None:
        raise WebhookRejected(Reason.UNKNOWN_INTEGRATION)
    keys = [row.secret]
    if row.previous_secret and row.previous_secret_until and row.previous_secret_until > now:
        keys.append(row.previous_secret)
    try:
        parser.verify(keys, timestamp=timestamp, signature=signature, body=body, now=now.timestamp(),
                      tolerance_s=tolerance_s)
    except WebhookRejected as exc:
        exc.integration = row.name
        raise
    return Verified(integration_id=row.id, name=row.name,
                    allowed_types=tuple(row.event_types) if row.event_types is not None else DEFAULTS.event_types,
                    device_map={str(k): str(v) for k, v in (row.device_map or {}).items()})


def _receipt(session: Session, integration_id: int, vendor_event_id: str) -> WebhookReceipt | None:
    return session.scalars(select(WebhookReceipt).where(WebhookReceipt.integration_id == integration_id,
                                                        WebhookReceipt.vendor_event_id == vendor_event_id)
                           ).one_or_none()


def record(session: Session, *, verified: Verified, event_in: VendorEventIn, now: datetime | None = None
           ) -> Recorded:
    """Publish one `ingest.vendor_event` and its receipt; the same event id again returns the first event.

    A device the event names counts as heard from (its heartbeat). Raises WebhookRejected for an unknown device.
    """
    now = now or utcnow()
    seen = _receipt(session, verified.integration_id, event_in.event_id)
    if seen is not None:
        return Recorded(event_id=seen.event_id, duplicate=True)
    ctx = Context.system(f"webhook.{verified.name}")
    device_code = None
    if event_in.device is not None:
        wanted = verified.device_map.get(event_in.device, event_in.device)
        try:
            device = device_health.heartbeat(session, code=wanted, ctx=ctx, now=now)
        except (NotFound, Conflict):  # not registered, or decommissioned
            raise WebhookRejected(Reason.UNKNOWN_DEVICE, params={"device": event_in.device},
                                  errors=[{"field": "device", "message": "not in the device registry"}]) from None
        device_code = device.code
        if device.simulated:
            ctx = ctx.model_copy(update={"simulated": True})
    payload = VendorEvent(integration=verified.name, vendor_event_id=event_in.event_id, type=event_in.type,
                          device_code=device_code, occurred_at=event_in.occurred_at, data=event_in.data)
    event = new_event(VENDOR_EVENT, subject_id=verified.name, payload=payload, ctx=ctx,
                      occurred_at=event_in.occurred_at)
    try:
        # The receipt goes first, in a savepoint: a concurrent duplicate fails on the unique constraint here,
        # before anything is published, and then reads the winner's receipt.
        with session.begin_nested():
            session.add(WebhookReceipt(integration_id=verified.integration_id, vendor_event_id=event_in.event_id,
                                       event_id=event.id, received_at=now))
    except IntegrityError:
        winner = _receipt(session, verified.integration_id, event_in.event_id)
        if winner is None:
            raise
        return Recorded(event_id=winner.event_id, duplicate=True)
    publish_batch(session, [event])
    session.execute(
        sql_update(WebhookIntegration)
        .where(WebhookIntegration.id == verified.integration_id,
               or_(WebhookIntegration.last_used_at.is_(None),
                   WebhookIntegration.last_used_at < now - timedelta(seconds=DEFAULTS.touch_interval_s)))
        .values(last_used_at=now)
    )
    return Recorded(event_id=event.id, duplicate=False)


def prune_receipts(session: Session, *, before: datetime) -> int:
    """Forget receipts older than ``before`` (a resend after that is recorded again); returns how many."""
    result = session.execute(delete(WebhookReceipt).where(WebhookReceipt.received_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
