"""The JetStream relay against the NATS server at 127.0.0.1:4222: each committed event enters the stream once, and
a commit on one node wakes the readers of another that has no local wake-up at all."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update

from qorgau.core.aio import within
from qorgau.core.bus import Context, publish
from qorgau.core.bus.jetstream import RELAY_CURSOR, SEQ_HEADER, JetStreamRelay, JetStreamWake
from qorgau.core.bus.models import EventCursor
from qorgau.core.bus.transport import OutboxTransport, make_transport
from qorgau.core.bus.wake import WakeSource
from qorgau.core.db import Database
from qorgau.settings import Settings
from tests.conftest import run_async
from tests.core.bus.events_for_tests import PROBE, Probe

NATS_URL = os.environ.get("NATS_TEST_URL", "nats://127.0.0.1:4222")


async def _reachable() -> bool:
    import nats

    try:
        client = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False)
    except Exception:
        return False
    jetstream = True
    try:
        await client.jetstream().account_info()
    except Exception:
        jetstream = False
    await client.close()
    return jetstream


@pytest.fixture
def stream() -> Iterator[str]:
    """A stream of this test's own, deleted afterwards; skips (saying why) where no JetStream server runs."""
    if not run_async(_reachable()):
        pytest.skip(f"no NATS server with JetStream at {NATS_URL} (nats-server -js; or set NATS_TEST_URL)")
    name = f"QORGAU_TEST_{uuid.uuid4().hex[:8].upper()}"
    yield name

    async def delete() -> None:
        import nats

        client = await nats.connect(NATS_URL)
        with contextlib.suppress(Exception):  # never created: the test failed before the relay started
            await client.jetstream().delete_stream(name)
        await client.close()

    run_async(delete())


def _publish(db: Database, numbers: range) -> None:
    for n in numbers:
        with db.unit_of_work() as session:
            publish(session, PROBE, subject_id="js", payload=Probe(n=n), ctx=Context.system("test"))


async def _stream_messages(stream: str) -> list[dict[str, Any]]:
    import nats

    client = await nats.connect(NATS_URL)
    try:
        js = client.jetstream()
        info = await js.stream_info(stream)
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            message = await js.get_msg(stream, seq=seq)
            found.append({"seq": int((message.headers or {})[SEQ_HEADER]), "id": (message.headers or {})["Nats-Msg-Id"],
                          "body": json.loads(message.data or b"{}")})
        return found
    finally:
        await client.close()


def test_each_committed_event_enters_the_stream_once(db: Database, stream: str) -> None:
    import nats

    async def scenario() -> list[int]:
        client = await nats.connect(NATS_URL)
        try:
            relay = JetStreamRelay(db, client.jetstream(), stream, batch=4)
            await relay.ensure_stream()
            await asyncio.to_thread(relay._cursor)  # turned on now: what follows is relayed
            await asyncio.to_thread(_publish, db, range(10))
            first = await relay.relay_once()
            # A relay that died after publishing, before recording its cursor: it publishes the same rows again,
            # and (not looking at the stream's last sequence here) the stream drops them by Nats-Msg-Id.
            await asyncio.to_thread(_rewind, db)
            blind = JetStreamRelay(db, client.jetstream(), stream)

            async def nothing_in_the_stream() -> tuple[int, str | None]:
                return 0, None

            blind._stream_last = nothing_in_the_stream  # type: ignore[method-assign]
            again = await blind.relay_once()
            # A second node's relay with its own view of the same database publishes them too.
            other = JetStreamRelay(db, client.jetstream(), stream)
            await asyncio.to_thread(_rewind, db)
            third = await other.relay_once()
            await asyncio.to_thread(_publish, db, range(10, 13))
            fourth = await relay.relay_once()
            return [first, again, third, fourth]
        finally:
            await client.close()

    assert run_async(scenario()) == [10, 0, 0, 3]
    messages = run_async(_stream_messages(stream))
    assert [m["body"]["payload"]["n"] for m in messages] == list(range(13))
    assert len({m["id"] for m in messages}) == 13 and [m["seq"] for m in messages] == sorted(m["seq"] for m in messages)
    assert all(m["body"]["name"] == "testing.probe" and m["body"]["id"] == m["id"] for m in messages)


def _rewind(db: Database) -> None:
    with db.unit_of_work() as session:
        session.execute(update(EventCursor).where(EventCursor.subscriber == RELAY_CURSOR).values(last_seq=0))


def test_a_commit_on_one_node_wakes_readers_on_another(settings: Settings, db: Database, stream: str) -> None:
    slow_poll = 30.0  # without the stream's wake-up node B would see the event only after this long

    async def scenario() -> float:
        node_a = make_transport(settings.model_copy(update={"event_transport": "jetstream",
                                                             "nats_url": NATS_URL, "jetstream_stream": stream}), db)
        # Node B: no local wake-up (another machine), only JetStream's.
        b_wake = JetStreamWake(WakeSource(), db, url=NATS_URL, stream=stream, poll_interval=slow_poll)
        node_b = OutboxTransport(db, b_wake, poll_interval=slow_poll)
        await node_a.start()
        await node_b.start()
        try:
            reader = node_b.batches(await node_b.head())
            first = asyncio.ensure_future(reader.__anext__())
            await asyncio.sleep(1.0)  # both relays connected and subscribed (they retry if not)
            started = time.monotonic()
            await asyncio.to_thread(_publish, db, range(1))
            batch = await within(first, 15)
            assert [event.payload.n for event in batch] == [0]
            return time.monotonic() - started
        finally:
            await node_b.stop()
            await node_a.stop()

    assert run_async(scenario()) < 10.0
    messages = run_async(_stream_messages(stream))
    assert [m["body"]["payload"]["n"] for m in messages] == [0]  # both nodes relayed it; it is in the stream once


def test_the_stream_refuses_an_event_whose_predecessor_is_missing(db: Database, stream: str) -> None:
    import nats
    from nats.js.errors import APIError

    from qorgau.core.bus.outbox import read_after

    async def scenario() -> None:
        client = await nats.connect(NATS_URL)
        try:
            relay = JetStreamRelay(db, client.jetstream(), stream)
            await relay.ensure_stream()
            await asyncio.to_thread(relay._cursor)
            await asyncio.to_thread(_publish, db, range(3))
            with db.reading() as session:
                first, second, third = read_after(session, 0)
            await relay._publish(first, None)
            with pytest.raises(APIError):  # as if the second's publish had failed in a pipelined batch
                await relay._publish(third, str(second.id))
            assert await relay.relay_once() == 2  # resumes after the first, the stream's last: no gap, no repeat
        finally:
            await client.close()

    run_async(scenario())
    assert [m["body"]["payload"]["n"] for m in run_async(_stream_messages(stream))] == [0, 1, 2]


def test_credentials_never_go_in_the_url(tmp_path: Any) -> None:
    from qorgau.core.errors import ConfigError
    from qorgau.settings import load_settings

    with pytest.raises(ConfigError, match="nats_credentials_file"):
        load_settings(data_dir=tmp_path, nats_url="nats://qorgau:secret@10.0.0.5:4222")
