"""The device registry: reading, creating, updating and decommissioning devices. Functions never commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.bus import Context, EventType, publish
from qorgau.core.errors import Conflict, NotFound, QorgauError, ValidationFailed
from qorgau.core.time import utcnow
from qorgau.core.translit import english
from qorgau.devices import health as health_service
from qorgau.devices import revision
from qorgau.devices.checks import Problem, check, chunks, from_validation
from qorgau.devices.config import DEFAULTS
from qorgau.devices.enums import DeviceAction, DeviceKind, Health, HealthReason, Lifecycle
from qorgau.devices.events import DECOMMISSIONED, REGISTERED, UPDATED, DeviceChanged
from qorgau.devices.models import Device, DeviceIdentifier, PanelZone, Site
from qorgau.devices.schemas import (
    SECRET_FIELDS,
    Dc09Id,
    DeviceCreate,
    DeviceFields,
    DevicePatch,
    DeviceRead,
    Identifiers,
    ImportResult,
    Zone,
)

Progress = Callable[[int, int], None]  # (devices done, devices in all)


@dataclass
class Spec:
    """The desired state of one device and the credentials to set (only the keys given)."""

    fields: DeviceFields
    secrets: dict[str, str | None] = field(default_factory=dict)
    locator: int = 0


def search_text(*parts: str | None) -> str:
    return " ".join(p for p in parts if p).casefold()


def get(session: Session, code: str) -> Device:
    device = session.scalars(select(Device).where(Device.code == code.strip().upper())).one_or_none()
    if device is None:
        raise NotFound("devices.not_found", params={"code": code})
    return device


def fields_of(device: Device) -> dict[str, Any]:
    """A device's registry state in the shape of DeviceFields."""
    ids: dict[str, Any] = {}
    for row in device.identifiers:
        if row.protocol == "dc09":
            ids["dc09"] = Dc09Id.parse(row.value).model_dump()
        else:
            ids["mqtt_client_id" if row.protocol == "mqtt" else "sip_user"] = row.value
    return {
        "code": device.code, "kind": device.kind, "purpose": device.purpose, "name_kk": device.name_kk,
        "name_ru": device.name_ru, "name_en": device.name_en,
        "site_code": device.site.code if device.site else None, "lon": device.lon, "lat": device.lat,
        "heading_deg": device.heading_deg, "fov_deg": device.fov_deg, "range_m": device.range_m,
        "stream_main": device.stream_main, "stream_sub": device.stream_sub, "lifecycle": device.lifecycle,
        "supervision_interval_s": device.supervision_interval_s, "identifiers": ids,
        "dc09_local_time": device.dc09_local_time,
        "zones": [{"number": z.number, "kind": z.kind, "name": z.name} for z in device.zones],
        "generated": device.generated, "simulated": bool(device.simulated),
    }


def to_read(device: Device) -> DeviceRead:
    site = device.site
    return DeviceRead(
        **{**fields_of(device), "name_en": english(device.name_en, device.name_ru, device.name_kk)},
        site_name_kk=site.name_kk if site else None, site_name_ru=site.name_ru if site else None,
        site_name_en=english(site.name_en, site.name_ru, site.name_kk) if site else None, health=device.health,
        last_seen_at=device.last_seen_at,
        health_changed_at=device.health_changed_at,
        effective_supervision_interval_s=DEFAULTS.interval_for(device.kind, device.supervision_interval_s),
        has_credentials=device.has_credentials, has_dc09_key=device.has_dc09_key, created_at=device.created_at,
        updated_at=device.updated_at, decommissioned_at=device.decommissioned_at,
    )


def raise_problems(problems: list[Problem]) -> None:
    """A single device's problems as one error: 409 for a taken code, stream or identifier, else 422."""
    if not problems:
        return
    first = problems[0]
    status = 409 if first.reason.startswith("duplicate") else 422
    raise QorgauError(f"devices.row.{first.reason}", status=status,
                      params={"field": first.field or "-", "code": first.code or "-",
                              **{k: str(v) for k, v in first.params.items()}},
                      errors=[{"field": p.field or "body", "message": p.reason} for p in problems])


def _validated(locator: int, code: str | None, data: dict[str, Any]) -> DeviceFields:
    try:
        return DeviceFields.model_validate(data)
    except ValidationError as exc:
        problems = from_validation(locator, code, exc)
        raise ValidationFailed(params={"fields": ", ".join(sorted({p.field or "body" for p in problems}))},
                               errors=[{"field": p.field or "body", "message": p.params.get("detail", p.reason)}
                                       for p in problems]) from exc


def create(session: Session, *, device_in: DeviceCreate, actor: audit.Actor, ctx: Context) -> Device:
    if session.scalar(select(Device.id).where(Device.code == device_in.code)) is not None:
        raise Conflict("devices.exists", params={"code": device_in.code})
    fields = DeviceFields.model_validate(device_in.model_dump(exclude=set(SECRET_FIELDS)))
    secrets = device_in.model_dump(include=set(SECRET_FIELDS), exclude_none=True)
    return apply(session, [Spec(fields, secrets)], actor=actor, ctx=ctx, checked=False)[0].device


def update(session: Session, *, code: str, patch: DevicePatch, actor: audit.Actor, ctx: Context) -> Device:
    device = get(session, code)
    given = patch.model_dump(exclude_unset=True)
    secrets = {k: given.pop(k) for k in SECRET_FIELDS if k in given}
    fields = _validated(0, device.code, {**fields_of(device), **given})
    return apply(session, [Spec(fields, secrets)], actor=actor, ctx=ctx, checked=False)[0].device


def decommission(session: Session, *, code: str, actor: audit.Actor, ctx: Context) -> Device:
    device = get(session, code)
    if device.lifecycle == Lifecycle.DECOMMISSIONED:
        return device
    fields = DeviceFields.model_validate({**fields_of(device), "lifecycle": Lifecycle.DECOMMISSIONED})
    return apply(session, [Spec(fields)], actor=actor, ctx=ctx, checked=False)[0].device


def _sites_by_code(session: Session, codes: set[str]) -> dict[str, Site]:
    found: dict[str, Site] = {}
    for part in chunks(sorted(codes)):
        found.update({s.code: s for s in session.scalars(select(Site).where(Site.code.in_(part)))})
    return found


def existing(session: Session, codes: Sequence[str]) -> dict[str, Device]:
    found: dict[str, Device] = {}
    for part in chunks(sorted(set(codes))):
        found.update({d.code: d for d in session.scalars(select(Device).where(Device.code.in_(part)))})
    return found


@dataclass(frozen=True)
class Outcome:
    device: Device
    created: bool
    changes: list[str]
    event: EventType[DeviceChanged] | None = None


def apply(session: Session, specs: Sequence[Spec], *, actor: audit.Actor, ctx: Context, checked: bool,
          progress: Progress | None = None) -> list[Outcome]:
    """Create or update each device to its spec; ``checked=False`` runs the cross-device checks first."""
    if not checked:
        raise_problems(check(session, [(s.locator, s.fields) for s in specs]))
    current = existing(session, [s.fields.code for s in specs])
    before = {code: fields_of(device) for code, device in current.items()}
    sites = _sites_by_code(session, {s.fields.site_code for s in specs if s.fields.site_code})
    _release(session, specs, current)
    now = utcnow()
    outcomes = []
    for number, spec in enumerate(specs, 1):
        code = spec.fields.code
        outcomes.append(_apply_one(session, spec, current.get(code), before.get(code), sites,
                                   actor=actor, ctx=ctx, now=now))
        if progress is not None and (number % 100 == 0 or number == len(specs)):
            progress(number, len(specs))
    # One flush for the whole batch (bulk inserts), then the events: each publish flushes only its own row.
    session.flush()
    for outcome in outcomes:
        if outcome.event is not None:
            _publish(session, outcome.event, outcome.device, ["created"] if outcome.created else outcome.changes, ctx)
    if any(o.created or o.changes for o in outcomes):
        revision.bump(session, registry=True)
    return outcomes


def counted(outcomes: Sequence[Outcome]) -> ImportResult:
    created = sum(1 for o in outcomes if o.created)
    updated = sum(1 for o in outcomes if not o.created and o.changes)
    return ImportResult(created=created, updated=updated, unchanged=len(outcomes) - created - updated)


def _release(session: Session, specs: Sequence[Spec], current: dict[str, Device]) -> None:
    """Free the streams and identifiers that devices of the batch give up, before any device takes them."""
    dirty = False
    for spec in specs:
        device = current.get(spec.fields.code)
        if device is None:
            continue
        if device.stream_main not in (None, spec.fields.stream_main):
            device.stream_main, dirty = None, True
        if device.stream_sub not in (None, spec.fields.stream_sub):
            device.stream_sub, dirty = None, True
        wanted = {str(p): v for p, v in spec.fields.identifiers.by_protocol().items()}
        for row in list(device.identifiers):
            if wanted.get(row.protocol) != row.value:
                device.identifiers.remove(row)
                dirty = True
    if dirty:
        session.flush()


def _apply_one(session: Session, spec: Spec, device: Device | None, before: dict[str, Any] | None,
               sites: dict[str, Site], *, actor: audit.Actor, ctx: Context, now: Any) -> Outcome:
    f = spec.fields
    if device is None:
        device = Device(code=f.code, health=Health.UNKNOWN, created_at=now, updated_at=now,
                        has_credentials=False, has_dc09_key=False)
        session.add(device)
    site = sites.get(f.site_code) if f.site_code else None
    device.site, device.site_id = site, site.id if site else None
    for name in ("kind", "purpose", "name_kk", "name_ru", "name_en", "lon", "lat", "heading_deg", "fov_deg", "range_m",
                 "stream_main", "stream_sub", "lifecycle", "supervision_interval_s", "generated", "dc09_local_time",
                 "simulated"):
        value = getattr(f, name)
        setattr(device, name, str(value) if name in ("kind", "purpose", "lifecycle") and value else value)
    device.search_text = search_text(f.code, f.name_kk, f.name_ru, f.name_en)
    _set_identifiers(device, f.identifiers)
    _set_zones(device, f.zones)
    changes = sorted(k for k, v in fields_of(device).items() if before is None or before.get(k) != v)
    changes += _set_secrets(session, device, spec.secrets, actor=actor)
    if device.last_seen_at is not None:
        device.offline_after = device.last_seen_at + health_service.interval(device)
    if before is None:
        return Outcome(device, True, changes, REGISTERED)
    if not changes:
        return Outcome(device, False, changes)
    device.updated_at = now
    retiring = f.lifecycle == Lifecycle.DECOMMISSIONED and before["lifecycle"] != Lifecycle.DECOMMISSIONED
    if retiring:
        device.decommissioned_at, device.offline_after = now, None
        health_service.change(session, device, Health.UNKNOWN, HealthReason.DECOMMISSIONED, ctx=ctx, now=now)
        audit.record(session, action=DeviceAction.DECOMMISSION, actor=actor, target_type="device",
                     target_id=device.code)
    elif f.lifecycle != Lifecycle.DECOMMISSIONED:
        device.decommissioned_at = None
    return Outcome(device, False, changes, DECOMMISSIONED if retiring else UPDATED)


def _set_identifiers(device: Device, identifiers: Identifiers) -> None:
    have = {row.protocol: row for row in device.identifiers}
    for protocol, value in identifiers.by_protocol().items():
        row = have.get(str(protocol))
        if row is None:
            device.identifiers.append(DeviceIdentifier(protocol=str(protocol), value=value))
        elif row.value != value:
            row.value = value


def _set_zones(device: Device, zones: list[Zone]) -> None:
    have = {zone.number: zone for zone in device.zones}
    wanted = {zone.number: zone for zone in zones}
    for number, gone in have.items():
        if number not in wanted:
            device.zones.remove(gone)
    for number, zone in sorted(wanted.items()):
        row = have.get(number)
        if row is None:
            device.zones.append(PanelZone(number=number, kind=str(zone.kind), name=zone.name))
        elif (row.kind, row.name) != (str(zone.kind), zone.name):
            row.kind, row.name = str(zone.kind), zone.name
    device.zones.sort(key=lambda z: z.number)


def _set_secrets(session: Session, device: Device, secrets: dict[str, str | None], *,
                 actor: audit.Actor) -> list[str]:
    changed = [name for name, value in secrets.items() if getattr(device, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(device, name, secrets[name])
    device.has_credentials = device.username is not None or device.password is not None
    device.has_dc09_key = device.dc09_key is not None
    audit.record(session, action=DeviceAction.CREDENTIALS_CHANGE, actor=actor, target_type="device",
                 target_id=device.code, details={"fields": sorted(changed)})
    return sorted(changed)


def _publish(session: Session, kind: EventType[DeviceChanged], device: Device, changes: list[str],
             ctx: Context) -> None:
    payload = DeviceChanged(code=device.code, kind=DeviceKind(device.kind), purpose=device.purpose,
                            site_code=device.site.code if device.site else None, lifecycle=device.lifecycle,
                            changes=changes)
    publish(session, kind, subject_id=device.code, payload=payload, ctx=ctx)

