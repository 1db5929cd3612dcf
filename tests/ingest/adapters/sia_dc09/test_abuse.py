"""The DC-09 receiver under abuse (issue 20), over real sockets: trickled junk, stale timestamps, UDP floods."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from prometheus_client import generate_latest

from qorgau.alarms.models import Procedure
from qorgau.core.aio import within
from qorgau.core.db import Database
from qorgau.ingest.adapters.sia_dc09 import adapter as dc09_adapter
from qorgau.ingest.adapters.sia_dc09.adapter import Dc09Adapter
from qorgau.ingest.runner import IngestRunner
from qorgau.settings import Settings
from tests.alarms.conftest import alarms, handle_outbox
from tests.ingest.adapters.sia_dc09.test_adapter import PANEL, Panel, _scenario, frame
from tests.ingest.conftest import add_panel, eventually, rejected, stored


async def closed(panel: Panel, seconds: float) -> bool:
    """Whether the receiver closes the panel's connection within ``seconds`` (answers read on the way)."""
    with contextlib.suppress(ConnectionError):
        while await within(panel.reader.read(4096), seconds):
            pass
    return True


async def offer(panel: Panel, data: bytes) -> None:
    """Send, as an abuser does, not caring whether the receiver has closed the connection already."""
    with contextlib.suppress(ConnectionError):
        await panel.send(data)


async def intruder(runner: IngestRunner) -> Panel:
    """A connection from another address than the panels' (127.0.0.2: the whole of 127/8 is loopback)."""
    port = runner.adapters["sia_dc09"].tcp_port  # type: ignore[attr-defined]
    return Panel(*await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.2", 0)))


def test_unencrypted_frames_with_a_timestamp_outside_the_window_get_nak(settings: Settings, db: Database) -> None:
    add_panel(db)
    add_panel(db, "PNL-0002", "5678", dc09_local_time=True)
    zone = ZoneInfo(settings.time_zone)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        await panel.send(frame(1, at=datetime(2000, 1, 1)))  # `_00:00:00,01-01-2000`, as the probe sent it
        nak = await panel.response()
        assert nak.message_type == "NAK" and nak.timestamp is not None
        late = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=90)
        await panel.send(frame(2, at=late))
        assert (await panel.response()).message_type == "NAK"
        assert stored(db, PANEL) == [] and rejected(runner, "sia_dc09", "outside_window") == 2
        await panel.send(frame(3, at=datetime.now(UTC).replace(tzinfo=None)))  # in the window: accepted
        assert (await panel.response()).message_type == "ACK"
        await panel.send(frame(4))  # no timestamp at all: accepted, as before
        assert (await panel.response()).message_type == "ACK"
        # A panel set to local time is judged in local time: its UTC-stamped frame is out, its local one in.
        utc_now = datetime.now(UTC).replace(tzinfo=None)
        local_now = datetime.now(zone).replace(tzinfo=None)
        assert abs((local_now - utc_now).total_seconds()) > 60  # the test zone is not UTC
        await panel.send(frame(5, "#5678|NPA001", account="5678", at=utc_now))
        assert (await panel.response()).message_type == "NAK"
        await panel.send(frame(6, "#5678|NPA001", account="5678", at=local_now))
        assert (await panel.response()).message_type == "ACK"
        assert [e.payload["sequence"] for e in stored(db, PANEL)] == [3, 4, 6]
        await panel.close()

    _scenario(settings, db, body)


def test_a_connection_that_trickles_bytes_that_are_never_a_frame_is_closed(settings: Settings, db: Database,
                                                                           monkeypatch: Any) -> None:
    add_panel(db)
    monkeypatch.setattr(dc09_adapter, "PARTIAL_FRAME_TIMEOUT_S", 1.0)

    async def body(runner: IngestRunner) -> None:
        junk, strangers, stale, panel = [await Panel.connect(runner) for _ in range(4)]
        started = asyncio.get_running_loop().time()
        for seq in range(1, 13):  # 2.4 s of trickle, twice the timeout, each kind of rejection in its turn
            await offer(junk, b"xyz")  # never a frame at all
            await offer(strangers, frame(seq, "#9999|NPA001", account="9999"))  # unknown account: DUH
            await offer(stale, frame(seq, at=datetime(2000, 1, 1)))  # stale timestamp: NAK
            await panel.send(frame(seq, f"#1234|NBA{seq:03d}"))  # a real panel makes progress each time
            await asyncio.sleep(0.2)
        for connection in (junk, strangers, stale):
            assert await closed(connection, 5.0)
            await connection.close()
        assert asyncio.get_running_loop().time() - started < 8.0
        assert rejected(runner, "sia_dc09", "no_progress") == 3
        assert [(await panel.response()).sequence for _ in range(12)] == list(range(1, 13))
        assert len(runner.adapters["sia_dc09"].connections) == 1  # type: ignore[attr-defined]
        await panel.close()

    _scenario(settings, db, body, dc09_idle_timeout_s=3.0)


def test_a_connection_that_sends_only_rejected_frames_is_closed_at_once(settings: Settings,
                                                                         db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        good = frame(1)
        corrupt = good[:1] + (b"0000" if good[1:5] != b"0000" else b"1111") + good[5:]
        await panel.send(corrupt * 3)  # a few bad frames are line noise: the connection stays
        await panel.send(frame(2))
        assert (await panel.response()).sequence == 2
        await panel.send(corrupt * dc09_adapter.MAX_STRIKES)
        assert await closed(panel, 5.0)
        await panel.close()
        assert rejected(runner, "sia_dc09", "too_many_rejections") == 1
        assert rejected(runner, "sia_dc09", "bad_crc") == 3 + dc09_adapter.MAX_STRIKES

    _scenario(settings, db, body)


def test_connection_slots_are_kept_for_registered_panels_addresses(settings: Settings, db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)  # from 127.0.0.1
        await panel.send(frame(1))
        assert (await panel.response()).message_type == "ACK"  # this address is now a panel's
        held: list[Panel] = []
        for _ in range(6):  # the intruder takes every slot it can and holds it silently
            held.append(await intruder(runner))
        await eventually(lambda: rejected(runner, "sia_dc09", "reserved_for_panels") >= 1)
        adapter = runner.adapters["sia_dc09"]
        assert len(adapter.connections) == 2  # type: ignore[attr-defined]  # the panel and one intruder
        second = await Panel.connect(runner)  # the panel's address still gets a slot
        await second.send(frame(2))
        assert (await second.response()).message_type == "ACK"
        for connection in (*held, panel, second):
            await connection.close()

    _scenario(settings, db, body, dc09_max_connections=4, dc09_reserved_connections=2)


def test_udp_datagrams_dropped_by_the_kernel_under_a_flood_are_counted(settings: Settings, db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        adapter = runner.adapters["sia_dc09"]
        assert isinstance(adapter, Dc09Adapter) and adapter.udp_socket is not None
        granted = adapter.udp_socket.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        assert 4096 <= granted <= 16_384  # the setting sized it (the kernel doubles it, with a floor)
        flood = frame(1, "#1234|NBA001")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as source:
            # Sent without yielding: the receiver's loop cannot read, so the small buffer overflows.
            for _ in range(2000):
                source.sendto(flood, ("127.0.0.1", adapter.udp_port))
        metrics = runner.hub.metrics
        drops = metrics.value("qorgau_ingest_kernel_drops_total", adapter="sia_dc09")
        assert drops > 1000
        exposition = generate_latest(metrics.registry).decode()
        assert f'qorgau_ingest_kernel_drops_total{{adapter="sia_dc09"}} {drops}' in exposition


        def accounted() -> float:
            received = sum(metrics.value("qorgau_ingest_received_total", adapter="sia_dc09", outcome=outcome)
                           for outcome in ("event", "retransmission"))
            return received + rejected(runner, "sia_dc09", "rate_limited") + drops

        await eventually(lambda: accounted() == 2000)  # every datagram sent is in one counter or another
        assert stored(db, PANEL)

    _scenario(settings, db, body, dc09_udp_receive_buffer_bytes=4096)


def test_unreadable_frames_from_a_registered_panel_are_kept_and_raise_one_alarm_on_the_desk(
        settings: Settings, db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        for seq in range(1, 31):  # a misconfigured panel: valid CRC, registered account, data nobody can read
            await panel.send(frame(seq, f"#1234|garbage {seq}"))
            assert (await panel.response()).message_type == "ACK"
        await panel.close()

    _scenario(settings, db, body)
    kept = stored(db, PANEL)
    assert [e.payload["kind"] for e in kept] == ["unknown"] * 30  # nothing the panel sent is lost
    assert kept[0].payload["text"] == "#1234|garbage 1"
    handle_outbox(db)
    (alarm,) = alarms(db)  # thirty signals, one alarm on the desk
    assert (alarm.rule_code, alarm.kind, alarm.device_code, alarm.count) == (
        "unreadable_signal", "unreadable_signal", "PNL-0001", 30)
    assert alarm.priority == 90  # low: below the sounding priorities (1 … 20), above "some device offline"
    with db.reading() as session:
        procedure = session.get(Procedure, alarm.procedure_code)
        assert procedure is not None and procedure.title["en"] == "Unreadable signal from a panel"
        assert procedure.title["kk"] and procedure.title["ru"]


def test_malformed_frames_at_load_are_never_acknowledged_and_every_ack_is_stored(settings: Settings,
                                                                                   db: Database) -> None:
    """The benchmark's load at small scale: 6 panels, a fifth of the frames malformed, each counted by reason."""
    from qorgau.protocols.dc09.loadgen import LoadConfig, run

    for k in range(6):
        add_panel(db, f"PNL-{k:04d}", f"{4100 + k}")

    async def body(runner: IngestRunner) -> None:
        port = runner.adapters["sia_dc09"].tcp_port  # type: ignore[attr-defined]
        config = LoadConfig(host="127.0.0.1", port=port, panels=6, seconds=1.5, start_account=4100, receiver="1",
                            line="1", malformed_share=0.2, keep_acked=True)
        result = await run(config)
        sent = result["malformed_by_kind"]
        assert result["malformed_acked"] == 0 and all(sent.get(kind) for kind in
                                                      ("unknown_account", "stale_timestamp", "bad_crc"))
        # What the standard asks: DUH, NAK with the receiver's clock, and silence.
        assert result["malformed_answers"] == {"unknown_account:DUH": sent["unknown_account"],
                                               "stale_timestamp:NAK": sent["stale_timestamp"],
                                               "bad_crc:none": sent["bad_crc"]}
        assert rejected(runner, "sia_dc09", "unknown_account") == sent["unknown_account"]
        assert rejected(runner, "sia_dc09", "outside_window") == sent["stale_timestamp"]
        assert rejected(runner, "sia_dc09", "bad_crc") == sent["bad_crc"]
        acked = set(result["acked_pairs"])
        assert len(acked) == len(result["acked_pairs"]) == result["acknowledged"] > 0
        assert {(e.payload["account"], e.payload["sequence"]) for e in stored(db, PANEL)} == acked

    _scenario(settings, db, body)
