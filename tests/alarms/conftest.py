"""Fixtures of the alarm desk tests: the alarms domain wired in, a small registry, and signals fed to the rules."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from qorgau import domains
from qorgau.alarms.config import AlarmsConfig
from qorgau.alarms.flows import RuleFlow
from qorgau.alarms.models import Alarm
from qorgau.core.bus import Context, Event, EventPayload, EventType, publish
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.bus.outbox import read_after
from qorgau.core.db import Database
from qorgau.devices import service as device_service
from qorgau.devices import sites
from qorgau.devices.schemas import DeviceCreate, SiteFields
from qorgau.ingest.events import PANEL_EVENT, PanelEvent
from tests.conftest import CLI_ACTOR
from tests.devices.conftest import camera, district_boundary, near, panel  # noqa: F401

CTX = Context.system("test")
CONFIG = AlarmsConfig()


@pytest.fixture(autouse=True)
def alarms_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wire the domain's tables, events and routes in as domains.py will (idempotent once it lists them).

    The subscriber is left out: these tests run the rules themselves, so the app's dispatcher must not also.
    """
    def plus(names: tuple[str, ...], name: str) -> tuple[str, ...]:
        return names if name in names else (*names, name)

    monkeypatch.setattr(domains, "MODEL_MODULES", plus(domains.MODEL_MODULES, "qorgau.alarms.models"))
    monkeypatch.setattr(domains, "EVENT_MODULES", plus(domains.EVENT_MODULES, "qorgau.alarms.events"))
    monkeypatch.setattr(domains, "VIEW_MODULES", plus(domains.VIEW_MODULES, "qorgau.alarms.views"))
    monkeypatch.setattr(domains, "FLOW_MODULES", tuple(m for m in domains.FLOW_MODULES if m != "qorgau.alarms.flows"))


def school_site(code: str = "OBJ-01", subtype: str = "school") -> SiteFields:
    lon, lat = near(50, 50)
    return SiteFields(code=code, kind="social_object", subtype=subtype, name_kk="№1 мектеп", name_ru="Школа №1",
                      lon=lon, lat=lat)


def registry(db: Database) -> None:
    """A school with a panel (zone 1 panic), a kindergarten panel, a camera facing the school panel, an SOS terminal."""
    with db.unit_of_work() as session:
        sites.create(session, school_site())
        sites.create(session, school_site("OBJ-02", "kindergarten"))
        for body in (panel("PNL-01", "1001", site_code="OBJ-01"), panel("PNL-02", "1002", site_code="OBJ-02"),
                     camera("CAM-0001", east_m=100, north_m=60, heading_deg=0.0),
                     sos("SOS-01")):
            device_service.create(session, device_in=DeviceCreate.model_validate(body), actor=CLI_ACTOR, ctx=CTX)


def sos(code: str) -> dict[str, Any]:
    lon, lat = near(-200, 0)
    return {"code": code, "kind": "sos_terminal", "name_kk": "SOS", "name_ru": "SOS", "lon": lon, "lat": lat,
            "lifecycle": "commissioned", "identifiers": {"sip_user": code.lower()}}


def panel_signal(kind: str = "panic", device: str = "PNL-01", site: str | None = "OBJ-01", *,
                 restore: bool = False, zone: str = "1", zone_kind: str | None = "panic") -> PanelEvent:
    return PanelEvent(device_code=device, site_code=site, kind=kind, restore=restore, code="PA", protocol="SIA-DCS",
                      zone=zone, zone_kind=zone_kind, zone_name="Вахта", account="1001", line="1", sequence=1,
                      encrypted=False)


def publish_signal(db: Database, payload: EventPayload, kind: EventType[Any] = PANEL_EVENT, *,
                   ctx: Context = CTX, occurred_at: datetime | None = None) -> Event[Any]:
    subject = str(getattr(payload, "device_code", None) or getattr(payload, "code", "-"))
    with db.unit_of_work() as session:
        return publish(session, kind, subject_id=subject, payload=payload, ctx=ctx, occurred_at=occurred_at)


def handle(db: Database, event: Event[Any], *, received_at: datetime | None = None,
           config: AlarmsConfig = CONFIG) -> None:
    """Run the rules on one event in a transaction of its own, as the dispatcher would."""
    if received_at is not None:
        event = dataclasses.replace(event, recorded_at=received_at)
    with db.unit_of_work() as session:
        RuleFlow(lambda: config)(session, event)


def signal(db: Database, payload: EventPayload, kind: EventType[Any] = PANEL_EVENT, *, ctx: Context = CTX,
           occurred_at: datetime | None = None, received_at: datetime | None = None,
           config: AlarmsConfig = CONFIG) -> Event[Any]:
    event = publish_signal(db, payload, kind, ctx=ctx, occurred_at=occurred_at)
    handle(db, event, received_at=received_at, config=config)
    return event


def handle_outbox(db: Database, after: int = 0, config: AlarmsConfig = CONFIG) -> int:
    """Feed every committed event after ``after`` to the rules; returns the last sequence seen."""
    with db.reading() as session:
        pending = read_after(session, after, limit=10_000)
    for event in pending:
        handle(db, event, config=config)
    return pending[-1].seq if pending else after


def alarms(db: Database) -> list[Alarm]:
    with db.reading() as session:
        return list(session.scalars(select(Alarm).order_by(Alarm.id)))


def alarm_events(db: Database, name: str | None = None) -> list[OutboxEvent]:
    with db.reading() as session:
        query = select(OutboxEvent).where(OutboxEvent.name.startswith("alarms.")).order_by(OutboxEvent.seq)
        if name is not None:
            query = query.where(OutboxEvent.name == name)
        return list(session.scalars(query))
