"""The DC-09 receiver over real TCP and UDP sockets: ACK only after commit, DUH, NAK, retransmissions, faults."""

from __future__ import annotations

import asyncio
import contextlib
import os
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from qorgau.core.aio import within
from qorgau.core.db import Database
from qorgau.devices import health
from qorgau.devices.models import Device
from qorgau.ingest.adapters.sia_dc09 import adapter as dc09_adapter
from qorgau.ingest.runner import IngestRunner
from qorgau.protocols.dc09.parser import ExtendedData, Frame, parse_frame
from qorgau.protocols.dc09.render import render_frame
from qorgau.settings import Settings
from tests.conftest import run_async
from tests.ingest.conftest import add_panel, eventually, rejected, running_ingest, stored

KEY = "00112233445566778899AABBCCDDEEFF"
KEY256 = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
PANEL = "ingest.panel_event"


def frame(seq: int, data: str = "#1234|Nri1/PA001", *, mtype: str = "SIA-DCS", account: str = "1234",
          key: str | None = None, at: datetime | None = None, extended: tuple[ExtendedData, ...] = ()) -> bytes:
    stamp = at if at is not None else (datetime.now(UTC).replace(tzinfo=None) if key else None)
    return render_frame(Frame(message_type=mtype, sequence=seq, receiver="1", prefix="1", account=account,
                              data=data, extended=extended, timestamp=stamp, encrypted=key is not None),
                        key=bytes.fromhex(key) if key else None)


class Panel:
    """A raw TCP panel connection: exact bytes out, responses parsed back."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, runner: IngestRunner) -> Panel:
        port = runner.adapters["sia_dc09"].tcp_port  # type: ignore[attr-defined]
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def response(self, *, key: str | None = None, timeout: float = 10.0) -> Frame:
        await within(self.reader.readuntil(b"\n"), timeout)
        rest = await within(self.reader.readuntil(b"\r"), timeout)
        return parse_frame(b"\n" + rest, key=bytes.fromhex(key) if key else None)

    async def silence(self, seconds: float = 1.0) -> bool:
        try:
            await within(self.reader.read(1), seconds)
        except TimeoutError:
            return True
        return False

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


def _scenario(settings: Settings, db: Database, body: Any, **extra: Any) -> None:
    async def main() -> None:
        async with running_ingest(settings, db, **extra) as runner:
            await body(runner)

    run_async(main())


def test_plain_frame_is_acknowledged_after_its_event_is_stored(settings: Settings, db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        await panel.send(frame(1, "#1234|Nri1/PA001", extended=(ExtendedData("X", "E53.0301"),
                                                               ExtendedData("Y", "N51.1712"),
                                                               ExtendedData("V", "rtsp://cam/1"))))
        ack = await panel.response()
        assert (ack.message_type, ack.sequence, ack.account, ack.receiver, ack.prefix) == ("ACK", 1, "1234", "1", "1")
        events = stored(db, PANEL)  # the ACK came, so the event must already be committed
        assert len(events) == 1
        payload = events[0].payload
        assert payload["kind"] == "panic" and payload["zone"] == "001" and payload["zone_kind"] == "panic"
        assert payload["zone_name"] == "Вахта" and payload["area"] == "1" and payload["device_code"] == "PNL-0001"
        assert payload["location"] == {"lon": 53.0301, "lat": 51.1712}
        assert payload["verification_url"] == "rtsp://cam/1"
        assert events[0].context["actor"] == "device:PNL-0001"
        await panel.close()

    _scenario(settings, db, body)


def test_merged_and_split_frames_all_arrive(settings: Settings, db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        merged = frame(1, "#1234|NPA001") + frame(2, "#1234|NFA002") + frame(3, "#1234|1130 01 015",
                                                                             mtype="ADM-CID")
        await panel.send(merged)
        assert [(await panel.response()).sequence for _ in range(3)] == [1, 2, 3]
        split = frame(4, "#1234|NTA015")
        for i in range(0, len(split), 3):  # three bytes per segment
            await panel.send(split[i:i + 3])
            await asyncio.sleep(0.005)
        assert (await panel.response()).sequence == 4
        kinds = [e.payload["kind"] for e in stored(db, PANEL)]
        assert kinds == ["panic", "fire", "burglary", "tamper"]
        await panel.close()

    _scenario(settings, db, body)


def test_bad_crc_and_garbage_get_no_response_and_are_counted(settings: Settings, db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        good = frame(1)
        corrupt = good[:1] + (b"0000" if good[1:5] != b"0000" else b"1111") + good[5:]
        await panel.send(corrupt)
        assert await panel.silence(1.0)
        await panel.send(os.urandom(300).replace(b"\n", b"x"))
        await panel.send(frame(2))
        assert (await panel.response()).sequence == 2
        assert rejected(runner, "sia_dc09", "bad_crc") == 1
        assert rejected(runner, "sia_dc09", "garbage") >= 1
        assert len(stored(db, PANEL)) == 1
        await panel.close()

    _scenario(settings, db, body)


def test_unknown_account_gets_duh(settings: Settings, db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        await panel.send(frame(7, "#9999|NPA001", account="9999"))
        duh = await panel.response()
        assert (duh.message_type, duh.sequence, duh.account) == ("DUH", 7, "9999")
        assert stored(db, PANEL) == []
        assert rejected(runner, "sia_dc09", "unknown_account") == 1
        await panel.close()

    _scenario(settings, db, body)


def test_encrypted_frames_aes128_and_aes256_get_encrypted_acks(settings: Settings, db: Database) -> None:
    add_panel(db, key=KEY)
    add_panel(db, "PNL-0002", "5678", key=KEY256)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        await panel.send(frame(1, "#1234|NHA001", key=KEY))
        ack = await panel.response(key=KEY)
        assert ack.encrypted and ack.message_type == "ACK" and ack.timestamp is not None
        await panel.send(frame(2, "#5678|1121 01 001", mtype="ADM-CID", account="5678", key=KEY256))
        ack = await panel.response(key=KEY256)
        assert ack.encrypted and ack.sequence == 2
        payloads = [e.payload for e in stored(db, PANEL)]
        assert [(p["kind"], p["encrypted"], p["device_code"]) for p in payloads] == [
            ("duress", True, "PNL-0001"), ("duress", True, "PNL-0002")]
        await panel.close()

    _scenario(settings, db, body)


def test_encrypted_frame_outside_the_time_window_gets_nak_with_receiver_time(settings: Settings,
                                                                             db: Database) -> None:
    add_panel(db, key=KEY)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        late = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=90)
        await panel.send(frame(1, key=KEY, at=late))
        nak = await panel.response()
        assert nak.message_type == "NAK" and nak.sequence == 0 and nak.timestamp is not None
        assert abs((nak.timestamp.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds()) < 5
        early = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=60)
        await panel.send(frame(2, key=KEY, at=early))
        assert (await panel.response()).message_type == "NAK"
        assert stored(db, PANEL) == []
        await panel.send(frame(3, key=KEY))
        assert (await panel.response(key=KEY)).message_type == "ACK"
        await panel.close()

    _scenario(settings, db, body)


def test_wrong_key_gets_duh(settings: Settings, db: Database) -> None:
    add_panel(db, key=KEY)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        await panel.send(frame(1, key="FFEEDDCCBBAA99887766554433221100"))
        assert (await panel.response()).message_type == "DUH"
        await panel.send(frame(2))  # plain frame from a panel that has a key: accepted (the key is optional)
        assert (await panel.response()).message_type == "ACK"
        await panel.close()

    _scenario(settings, db, body)


def test_retransmissions_are_recorded_once_per_the_standards_test(settings: Settings, db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        sent = [(9995, "#1234|NBA001"), (9996, "#1234|NBA002"), (9995, "#1234|NBA001"), (9997, "#1234|NBA003")]
        for seq, data in sent:
            await panel.send(frame(seq, data))
            assert (await panel.response()).sequence == seq  # every copy is acknowledged
        assert [e.payload["zone"] for e in stored(db, PANEL)] == ["001", "002", "003"]
        # A reboot: sequence 0001 again, with a new event, must never pass for a retransmission.
        await panel.send(frame(1, "#1234|NPA001"))
        await panel.response()
        await panel.send(frame(1, "#1234|NFA015"))
        await panel.response()
        assert [e.payload["kind"] for e in stored(db, PANEL)][-2:] == ["panic", "fire"]
        assert runner.hub.metrics.value("qorgau_ingest_received_total", adapter="sia_dc09",
                                        outcome="retransmission") == 1
        await panel.close()

    _scenario(settings, db, body)


def test_link_test_is_a_heartbeat_and_silence_makes_the_panel_offline(settings: Settings, db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        await panel.send(frame(5, "", mtype="NULL"))
        assert (await panel.response()).message_type == "ACK"
        changes = stored(db, "devices.health_changed")
        assert [(c.payload["previous"], c.payload["current"]) for c in changes] == [("unknown", "online")]
        await panel.send(frame(6, "", mtype="NULL"))
        await panel.response()
        assert len(stored(db, "devices.health_changed")) == 1  # exactly one change for many heartbeats
        with db.unit_of_work() as session:
            assert health.supervise(session, now=datetime.now(UTC) + timedelta(seconds=301)) == ["PNL-0001"]
        ref = runner.hub.directory.by_code("PNL-0001")
        assert ref is not None
        await eventually(lambda: not runner.hub.directory.is_online(ref))  # the ingest sees the registry's change
        await panel.send(frame(7, "", mtype="NULL"))  # it speaks again: online again, through the registry
        await panel.response()
        currents = [c.payload["current"] for c in stored(db, "devices.health_changed")]
        assert currents == ["online", "offline", "online"]
        assert stored(db, PANEL) == []
        await panel.close()

    _scenario(settings, db, body)


def test_unknown_codes_and_unreadable_data_are_kept_not_dropped(settings: Settings, db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        await panel.send(frame(1, "#1234|1999 01 003", mtype="ADM-CID"))
        await panel.response()
        await panel.send(frame(2, "#1234|NZZ004"))
        await panel.response()
        await panel.send(frame(3, "#1234|this is not SIA"))
        assert (await panel.response()).message_type == "ACK"
        payloads = [e.payload for e in stored(db, PANEL)]
        assert [(p["kind"], p["code"]) for p in payloads] == [("unknown", "999"), ("unknown", "ZZ"), ("unknown", "")]
        assert payloads[2]["text"] == "#1234|this is not SIA"
        await panel.close()

    _scenario(settings, db, body)


def test_panel_set_to_local_time(settings: Settings, db: Database) -> None:
    add_panel(db, key=KEY, dc09_local_time=True)
    zone = ZoneInfo(settings.time_zone)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        local = datetime.now(zone).replace(tzinfo=None)
        await panel.send(frame(1, key=KEY, at=local))
        assert (await panel.response(key=KEY)).message_type == "ACK"
        panel_time = datetime.fromisoformat(stored(db, PANEL)[0].payload["panel_time"])
        assert abs((panel_time - datetime.now(UTC)).total_seconds()) < 5
        await panel.close()

    _scenario(settings, db, body)


def test_udp_frames_are_acknowledged_after_commit(settings: Settings, db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        loop = asyncio.get_running_loop()
        answers: asyncio.Queue[bytes] = asyncio.Queue()

        class Client(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: Any) -> None:
                answers.put_nowait(data)

        port = runner.adapters["sia_dc09"].udp_port  # type: ignore[attr-defined]
        transport, _ = await loop.create_datagram_endpoint(Client, remote_addr=("127.0.0.1", port))
        transport.sendto(frame(1, "#1234|NPA001"))
        ack = parse_frame(await within(answers.get(), 10))
        assert ack.message_type == "ACK" and len(stored(db, PANEL)) == 1
        transport.sendto(b"\n\x00\x01garbage\r")
        transport.sendto(frame(2, "#1234|NPA002"))
        assert parse_frame(await within(answers.get(), 10)).sequence == 2
        transport.close()

    _scenario(settings, db, body)


def test_slow_loris_and_silent_connections_are_closed(settings: Settings, db: Database, monkeypatch: Any) -> None:
    add_panel(db)
    monkeypatch.setattr(dc09_adapter, "PARTIAL_FRAME_TIMEOUT_S", 0.5)

    async def body(runner: IngestRunner) -> None:
        loris = await Panel.connect(runner)
        idle = await Panel.connect(runner)
        await loris.send(frame(1)[:10])  # a frame that never completes
        await eventually(lambda: rejected(runner, "sia_dc09", "partial_frame_timeout") == 1)
        await eventually(lambda: rejected(runner, "sia_dc09", "idle_timeout") == 1)
        assert await loris.reader.read() == b"" and await idle.reader.read() == b""
        await loris.close()
        await idle.close()
        fresh = await Panel.connect(runner)  # the listener is unharmed
        await fresh.send(frame(2))
        assert (await fresh.response()).message_type == "ACK"
        await fresh.close()

    _scenario(settings, db, body, dc09_idle_timeout_s=1.0)


def test_a_flooding_connection_is_rate_limited(settings: Settings, db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        await panel.send(b"".join(frame(seq, f"#1234|NBA{seq:03d}") for seq in range(1, 31)))
        answered = 0
        while not await panel.silence(1.0) if answered >= 10 else True:
            await panel.response()
            answered += 1
        assert answered == 10  # the burst allowance; the rest dropped unanswered so the panel retries
        assert rejected(runner, "sia_dc09", "rate_limited") == 20
        await panel.close()

    _scenario(settings, db, body, dc09_max_frames_per_s=10.0)


def test_registry_change_is_picked_up_without_restart(settings: Settings, db: Database) -> None:
    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        await panel.send(frame(1))
        assert (await panel.response()).message_type == "DUH"
        add_panel(db)
        await eventually(lambda: runner.hub.directory.find("dc09", "1/1/1234") is not None)
        await panel.send(frame(2))
        assert (await panel.response()).message_type == "ACK"
        await panel.close()

    _scenario(settings, db, body)


def test_heartbeat_refresh_reaches_the_registry(settings: Settings, db: Database) -> None:
    add_panel(db)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        await panel.send(frame(1))
        await panel.response()
        with db.reading() as session:
            device = session.scalars(select(Device).where(Device.code == "PNL-0001")).one()
            assert device.health == "online" and device.last_seen_at is not None
            assert device.offline_after is not None and device.offline_after > datetime.now(UTC)
        await panel.close()

    _scenario(settings, db, body)


def test_a_taken_port_does_not_stop_the_ingest(settings: Settings, db: Database) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        async def body(runner: IngestRunner) -> None:
            assert "sia_dc09" not in runner.adapters
            assert runner.hub.metrics.value("qorgau_ingest_rejected_total", adapter="sia_dc09",
                                            reason="start_failed") == 1

        _scenario(settings, db, body, dc09_tcp_port=port)
