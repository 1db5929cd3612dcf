import uuid

import pytest
from pydantic import ValidationError

from qorgau.core.bus import Context, publish
from qorgau.core.bus.outbox import head, read_after
from qorgau.core.bus.types import EventPayload, event_type
from qorgau.core.db import Database
from tests.core.bus.events_for_tests import PROBE, Probe


def test_published_event_is_stored_with_its_envelope(db: Database) -> None:
    ctx = Context.for_user(7)
    with db.unit_of_work() as session:
        event = publish(session, PROBE, subject_id="p-1", payload=Probe(n=1, note="ä қ"), ctx=ctx)
    with db.reading() as session:
        (stored,) = read_after(session, 0)
    assert stored.id == event.id and stored.seq == event.seq >= 1
    assert stored.name == "testing.probe" and stored.version == 1
    assert stored.subject_type == "probe" and stored.subject_id == "p-1"
    assert stored.payload == Probe(n=1, note="ä қ")
    assert stored.context.actor == "user:7" and stored.context.correlation_id == ctx.correlation_id
    assert stored.occurred_at.tzinfo is not None and stored.recorded_at >= stored.occurred_at


def test_rolled_back_events_never_exist(db: Database) -> None:
    with pytest.raises(RuntimeError), db.unit_of_work() as session:
        publish(session, PROBE, subject_id="p", payload=Probe(n=1), ctx=Context.system("t"))
        raise RuntimeError("the state change failed")
    with db.reading() as session:
        assert head(session) == 0


def test_sequence_is_commit_order(db: Database) -> None:
    for n in range(5):
        with db.unit_of_work() as session:
            publish(session, PROBE, subject_id=f"s{n % 2}", payload=Probe(n=n), ctx=Context.system("t"))
    with db.reading() as session:
        events = read_after(session, 0)
        assert [e.payload.n for e in events] == [0, 1, 2, 3, 4]
        assert [e.payload.n for e in read_after(session, events[2].seq)] == [3, 4]


def test_causal_context_links_parent_and_correlation(db: Database) -> None:
    with db.unit_of_work() as session:
        first = publish(session, PROBE, subject_id="p", payload=Probe(n=1), ctx=Context.for_user(1))
        second = publish(session, PROBE, subject_id="p", payload=Probe(n=2),
                         ctx=Context.system("rules").caused_by(first))
    assert second.context.parent_id == first.id
    assert second.context.correlation_id == first.context.correlation_id


def test_payload_type_and_names_are_checked() -> None:
    class Other(EventPayload):
        x: int

    with pytest.raises(TypeError):
        from qorgau.core.bus.types import new_event

        new_event(PROBE, subject_id="p", payload=Other(x=1), ctx=Context.system("t"))
    with pytest.raises(ValueError, match="domain"):
        event_type("NoDomain", Other, subject_type="x", description="bad")
    with pytest.raises(ValueError, match="twice"):
        event_type("testing.probe", Probe, subject_type="probe", description="again")
    with pytest.raises(ValidationError):
        Probe(n=1, unexpected=True)  # type: ignore[call-arg]


def test_unknown_event_types_are_kept_raw(db: Database) -> None:
    from qorgau.core.bus.models import OutboxEvent
    from qorgau.core.time import utcnow

    with db.unit_of_work() as session:
        session.add(OutboxEvent(id=uuid.uuid4(), name="future.thing", version=3, subject_type="x", subject_id="1",
                                occurred_at=utcnow(), recorded_at=utcnow(), payload={"a": 1},
                                context={"actor": "system:future", "correlation_id": str(uuid.uuid4())}))
    with db.reading() as session:
        (event,) = read_after(session, 0)
    assert event.payload.model_dump() == {"a": 1}


def test_batch_publish_reads_back_exactly_like_single_publish(db: Database) -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from qorgau.core.bus import publish_batch
    from qorgau.core.bus.types import new_event

    almaty = timezone(timedelta(hours=5))
    moments = [datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC), datetime(2026, 1, 15, 17, 0, 0, 1, tzinfo=almaty)]
    batch = [new_event(PROBE, subject_id=f"b-{n}", payload=Probe(n=n, note="ä қ \"q\""), ctx=Context.system("t"),
                       occurred_at=moments[n % 2]) for n in range(5)]
    with db.unit_of_work() as session:
        publish(session, PROBE, subject_id="single", payload=Probe(n=99), ctx=Context.system("t"))
        publish_batch(session, batch)
    with db.reading() as session:
        stored = read_after(session, 0)
    assert [e.subject_id for e in stored] == ["single", *[f"b-{n}" for n in range(5)]]
    assert [e.seq for e in stored] == sorted(e.seq for e in stored)
    for sent, got in zip(batch, stored[1:], strict=True):
        assert (got.id, got.name, got.payload, got.context) == (sent.id, sent.name, sent.payload, sent.context)
        assert got.occurred_at == sent.occurred_at and got.recorded_at == sent.recorded_at
        assert got.occurred_at.tzinfo is not None
