"""Incidents on SQLite and PostgreSQL: numbering, transitions, alarms copied by the flow, metrics, EIDO."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Text, select, type_coerce

from qorgau.alarms.events import ACKNOWLEDGED, RAISED, AlarmChanged, AlarmState
from qorgau.core.bus import Context, publish
from qorgau.core.db import Database
from qorgau.core.errors import Conflict
from qorgau.incidents import eido, metrics, service
from qorgau.incidents.enums import IncidentState, Source
from qorgau.incidents.models import Incident
from qorgau.incidents.places import TOWN_AREA
from qorgau.incidents.schemas import IncidentCreate
from tests.incidents.conftest import Flows

CTX = Context.system("test")
CENTRE = (53.011478, 51.173893)
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _create(db: Database, **fields: object) -> int:
    with db.unit_of_work() as session:
        body = IncidentCreate.model_validate({"category": "theft", "lon": CENTRE[0], "lat": CENTRE[1], **fields})
        return service.create(session, incident_in=body, actor="user:1", ctx=CTX).id


def test_numbers_priorities_caller_encrypted_and_transitions(db: Database) -> None:
    first = _create(db, caller_name="Асқар Нұрланұлы", caller_phone="+7 701 000 00 00", received_at=T0)
    second = _create(db, category="assault", priority=3, received_at=T0)
    with db.unit_of_work() as session:
        a, b = session.get(Incident, first), session.get(Incident, second)
        assert a is not None and b is not None
        assert (a.number, b.number) == ("2026-000001", "2026-000002")
        assert (a.priority, b.priority, a.area, a.state) == (60, 3, TOWN_AREA, "new")
        raw = session.scalar(select(type_coerce(Incident.caller_phone, Text)).where(Incident.id == first))
        # The stored form is the ciphertext; a short fragment like "701" can occur in random base64 by chance.
        assert raw is not None and raw.startswith("enc:v1:") and "000 00 00" not in raw
        assert a.caller_phone == "+7 701 000 00 00"
        service.transition(session, incident_id=first, to=IncidentState.ON_HOLD, actor="user:1", ctx=CTX)
        service.transition(session, incident_id=first, to=IncidentState.RESOLVED, actor="user:1", ctx=CTX)
        with pytest.raises(Conflict) as refused:
            service.transition(session, incident_id=first, to=IncidentState.DISPATCHED, actor="user:1", ctx=CTX)
        assert refused.value.code == "incidents.invalid_transition"
        assert refused.value.extra == {"allowed": ["closed", "new"]}  # on scene: no unit is there
        transitions, _, _ = service.timeline(session, first)
        assert [(t.from_state, t.to_state) for t in transitions] == [(None, "new"), ("new", "on_hold"),
                                                                     ("on_hold", "resolved")]
        assert a.resolved_at is not None and a.dispatched_at is None


def _alarm(alarm_id: int, state: AlarmState, *, auto: bool, acknowledged_at: datetime | None = None,
           simulated: bool = False) -> AlarmChanged:
    return AlarmChanged(alarm_id=alarm_id, state=state, priority=5, escalation_level=0, rule="school_panic",
                        kind="panic", incident_category="assault", auto_incident=auto, device_code="PNL-01",
                        lon=CENTRE[0], lat=CENTRE[1], count=1, first_at=T0, last_at=T0,
                        acknowledged_at=acknowledged_at, simulated=simulated)


def test_alarms_are_copied_and_auto_incidents_opened_once(db: Database, run_flows: Flows) -> None:
    with db.unit_of_work() as session:
        publish(session, RAISED, subject_id="7", payload=_alarm(7, AlarmState.NEW, auto=True), ctx=CTX)
        publish(session, RAISED, subject_id="8", payload=_alarm(8, AlarmState.NEW, auto=False, simulated=True),
                ctx=CTX)
    run_flows(db)
    ack = T0 + timedelta(seconds=42)
    with db.unit_of_work() as session:
        publish(session, ACKNOWLEDGED, subject_id="7",
                payload=_alarm(7, AlarmState.ACKNOWLEDGED, auto=True, acknowledged_at=ack), ctx=CTX)
    run_flows(db)
    with db.unit_of_work() as session:
        (incident,) = session.scalars(select(Incident)).all()
        assert (incident.source, incident.alarm_id, incident.category, incident.priority) == ("alarm", 7, "assault", 5)
        assert incident.received_at == T0 and incident.acknowledged_at == ack and incident.created_by.startswith(
            "system:")
        _, _, links = service.timeline(session, incident.id)
        assert [(k.kind, k.ref) for k in links] == [("alarm", "7")]
        # By hand from the second alarm: simulated, as the alarm was; asking twice gives the same incident.
        body = IncidentCreate(alarm_id=8)
        again = service.create(session, incident_in=body, actor="user:1", ctx=CTX)
        assert again.simulated and again.source == Source.ALARM
        assert service.create(session, incident_in=body, actor="user:1", ctx=CTX).id == again.id


def _row(number: str, *, area: str, ack_s: float | None, scene_s: float | None, simulated: bool = False,
         category: str = "theft", source: str = "alarm") -> Incident:
    def at(seconds: float | None) -> datetime | None:
        return None if seconds is None else T0 + timedelta(seconds=seconds)

    return Incident(number=number, category=category, priority=60, state="closed", source=source, area=area,
                    simulated=simulated, created_by="test", received_at=T0, acknowledged_at=at(ack_s),
                    dispatched_at=at(ack_s), on_scene_at=at(scene_s), closed_at=at((scene_s or 0) + 600),
                    state_changed_at=T0, updated_at=T0)


def test_response_metrics_percentiles_targets_and_simulated(db: Database) -> None:
    with db.unit_of_work() as session:
        session.add_all([
            _row("2026-000001", area=TOWN_AREA, ack_s=10, scene_s=200),
            _row("2026-000002", area=TOWN_AREA, ack_s=20, scene_s=300),
            _row("2026-000003", area=TOWN_AREA, ack_s=30, scene_s=400),
            _row("2026-000004", area=TOWN_AREA, ack_s=100, scene_s=900),
            _row("2026-000005", area="Аралтал", ack_s=50, scene_s=1500, category="assault"),
            _row("2026-000006", area=TOWN_AREA, ack_s=5000, scene_s=9000, simulated=True),
        ])
    targets = metrics.Targets(ack_s=60, on_scene_town_s=420, on_scene_district_s=1800)
    with db.reading() as session:
        found = metrics.response(session, start=T0 - timedelta(hours=1), end=T0 + timedelta(hours=1),
                                 targets=targets)
        with_drills = metrics.response(session, start=T0 - timedelta(hours=1), end=T0 + timedelta(hours=1),
                                       targets=targets, include_simulated=True)
        town_only = metrics.response(session, start=T0 - timedelta(hours=1), end=T0 + timedelta(hours=1),
                                     targets=targets, area=TOWN_AREA)
    overall = found.overall
    assert overall.incidents == 5 and with_drills.overall.incidents == 6
    # acknowledged: 10, 20, 30, 50, 100 → P50 30, P90 80 (linear); 4 of 5 within 60 s
    assert (overall.acknowledged.p50_s, overall.acknowledged.p90_s) == (30.0, 80.0)
    assert overall.acknowledged.within_target == 0.8 and overall.acknowledged.target_s == 60
    # on scene: 200, 300, 400, 900 in town (target 420) and 1500 in Аралтал (target 1800) → 4 of 5 within
    assert (overall.on_scene.p50_s, overall.on_scene.p90_s) == (400.0, 1260.0)
    assert overall.on_scene.within_target == 0.8 and overall.on_scene.target_s is None
    areas = {g.key: g for g in found.by_area}
    assert areas[TOWN_AREA].on_scene.target_s == 420 and areas["Аралтал"].on_scene.target_s == 1800
    assert [g.key for g in found.by_category] == ["assault", "theft"]
    assert town_only.overall.incidents == 4 and town_only.overall.on_scene.within_target == 0.75
    assert metrics.percentile([], 50) is None


def test_eido_export_shape(db: Database) -> None:
    incident_id = _create(db, caller_name="Айгүл", caller_phone="87010000000", address="Советская 12",
                          description="Ұрлық")
    with db.unit_of_work() as session:
        service.add_note(session, incident_id=incident_id, author="user:1", text="Наряд выехал", ctx=CTX)
        incident = service.get(session, incident_id)
        transitions, notes, links = service.timeline(session, incident_id)
        message = eido.export(incident, transitions=transitions, notes=notes, links=links, with_caller=True)
        hidden = eido.export(incident, transitions=transitions, notes=notes, links=links, with_caller=False)
    assert message["messageKind"] == "Report" and message["eidoMessageIdentifier"].startswith("urn:uuid:")
    (component,) = message["incidentComponent"]
    assert component["localIncidentIdentifier"] == incident.number
    assert component["incidentStatusCommonRegistryText"] == ["Received"]
    (location,) = message["locationComponent"]
    assert component["locationReference"] == {"$ref": location["componentIdentifier"]}
    assert location["locationByValue"]["coordinates"] == [CENTRE[0], CENTRE[1]]
    assert next(n["notesActionComment"] for n in message["notesComponent"]) == "Наряд выехал"
    assert message["personComponent"][0]["personTelephoneNumber"] == "87010000000"
    assert "personComponent" not in hidden
