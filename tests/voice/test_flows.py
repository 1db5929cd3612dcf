"""Voice calls and the other domains on SQLite and PostgreSQL: an SOS call and the alarm its SIP events raise find
each other whichever comes first, answering acknowledges the alarm, an incident opened from the alarm is linked, and
a waiting SOS call escalates its new alarm at once."""

from __future__ import annotations

from typing import Any

from qorgau import domains
from qorgau.core.bus import Context, Event
from qorgau.core.bus.outbox import read_after
from qorgau.core.db import Database
from qorgau.incidents import flows as incident_flows
from qorgau.incidents import service as incident_service
from qorgau.incidents.models import AlarmRef
from qorgau.ingest.events import SOS_EVENT, Position, SosEvent
from qorgau.protocols.actions import SosAction
from qorgau.voice import actions, escalation, flows
from qorgau.voice.enums import CallKind
from tests.alarms.conftest import alarms, registry, signal
from tests.conftest import make_user
from tests.voice.domain_support import call_of, later, offer, operator

EVERY = later(20) - later(0)


def pressed(call_id: str) -> SosEvent:
    return SosEvent(device_code="SOS-01", action=SosAction.BUTTON_PRESSED, channel="sip",
                    position=Position(lon=53.0, lat=51.17), call_id=call_id)


def last_event(db: Database, name: str) -> Event[Any]:
    with db.reading() as session:
        return [e for e in read_after(session, 0, limit=10_000) if e.name == name][-1]


def run(db: Database, handler: Any, event: Event[Any]) -> None:
    with db.unit_of_work() as session:
        handler(session, event)


def sos_call(db: Database, sip_call_id: str) -> int:
    return offer(db, kind=CallKind.SOS, device_code="sos-01", caller=None, location=None, sip_call_id=sip_call_id)


def test_the_voice_subscribers_are_registered() -> None:
    names = {s.name for s in domains.subscribers()}
    assert {"voice.alarm_link", "voice.call_link", "voice.alarm_ack", "voice.incident_link"} <= names


def test_an_alarm_raised_first_is_linked_when_the_call_rings(db: Database) -> None:
    registry(db)
    signal(db, pressed("inv-1@sos"), SOS_EVENT)
    (alarm,) = alarms(db)
    call_id = sos_call(db, "inv-1@sos")
    call = call_of(db, call_id)
    assert call.device_code == "SOS-01" and call.device_id is not None and call.lon is not None  # from the registry
    run(db, flows.link_call, last_event(db, "voice.call_ringing"))
    assert call_of(db, call_id).alarm_id == alarm.id


def test_a_call_first_is_linked_when_its_alarm_is_raised(db: Database) -> None:
    registry(db)
    other = sos_call(db, "older@sos")
    call_id = sos_call(db, "inv-2@sos")
    signal(db, pressed("inv-2@sos"), SOS_EVENT)
    (alarm,) = alarms(db)
    run(db, flows.link_alarm, last_event(db, "alarms.raised"))
    assert call_of(db, call_id).alarm_id == alarm.id
    assert call_of(db, other).alarm_id is None  # another call of the same terminal: its own Call-ID decides


def test_answering_acknowledges_the_alarm_and_its_incident_is_linked(db: Database) -> None:
    registry(db)
    user = make_user(db, "aigerim", "operator")
    call_id = sos_call(db, "inv-3@sos")
    signal(db, pressed("inv-3@sos"), SOS_EVENT)
    (alarm,) = alarms(db)
    raised = last_event(db, "alarms.raised")
    run(db, flows.link_alarm, raised)
    op = operator(user, "Aigerim")
    with db.unit_of_work() as session:
        actions.claim(session, call_id=call_id, op=op, at=later(4))
        actions.attached(session, call_id=call_id, op=op, leg_id="leg-1", at=later(4))
    run(db, flows.acknowledge_alarm, last_event(db, "voice.call_answered"))
    (acknowledged,) = alarms(db)
    assert (acknowledged.state, acknowledged.acknowledged_by) == ("acknowledged", user)
    run(db, flows.acknowledge_alarm, last_event(db, "voice.call_answered"))  # again: nothing, no error
    run(db, incident_flows.remember_alarm, raised)
    with db.unit_of_work() as session:
        ref = session.get(AlarmRef, alarm.id)
        assert ref is not None
        incident = incident_service.open_from_alarm(session, ref=ref, actor=f"user:{user}",
                                                    ctx=Context.for_user(user))
        incident_id = incident.id
    run(db, flows.link_incident, last_event(db, "incidents.opened"))
    assert call_of(db, call_id).incident_id == incident_id


def test_a_waiting_sos_call_escalates_its_new_alarm_once(db: Database) -> None:
    registry(db)
    call_id = sos_call(db, "inv-4@sos")
    signal(db, pressed("inv-4@sos"), SOS_EVENT)
    run(db, flows.link_alarm, last_event(db, "alarms.raised"))
    with db.unit_of_work() as session:
        assert escalation.escalate_due(session, later(20), every=EVERY) == [call_id]
    with db.unit_of_work() as session:
        assert escalation.escalate_due(session, later(40), every=EVERY) == [call_id]
    (alarm,) = alarms(db)
    assert alarm.escalation_level == 1  # the call brought the first escalation forward; the alarm keeps its pace
    with db.reading() as session:
        escalated = [e for e in read_after(session, 0, limit=10_000) if e.name == "alarms.escalated"]
    assert len(escalated) == 1 and escalated[0].payload.escalated_to == "supervisor"
    assert call_of(db, call_id).escalation_level == 2

