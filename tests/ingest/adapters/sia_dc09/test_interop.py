"""Interoperability with independent DC-09 peers over real sockets.

- our transmitter → pysiaalarm 3.2.2's receiver (plain, AES-128 and AES-256; TCP, and UDP on uvloop);
- my-dc09-spt 0.2.2 (an independent panel-side transmitter, blocking sockets, run in a thread) → our codec,
  answering with our renderer's ACK;
- my-dc09-spt and our transmitter → Qorgau's receiver (`IngestRunner`), every acknowledged frame an event.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from my_dc09_spt.dc09_spt import dc09_spt
from prometheus_client import CollectorRegistry
from pysiaalarm.account import SIAAccount
from pysiaalarm.aio.client import SIAClient, SIAClientTCP
from pysiaalarm.event import SIAEvent
from pysiaalarm.utils.enums import CommunicationsProtocol
from sqlalchemy import func, select

from qorgau.core.aio import within
from qorgau.core.bus import Context
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.ingest.adapters.sia_dc09.adapter import Dc09Adapter
from qorgau.protocols.dc09 import render, sia
from qorgau.protocols.dc09.parser import Frame
from qorgau.protocols.dc09.transmitter import (
    Outcome,
    PanelConfig,
    Result,
    Transmitter,
    Transport,
    alarm_text,
    contact_id,
    link_test,
    location,
)
from qorgau.protocols.dc09.transmitter import sia as sia_message
from qorgau.settings import Settings
from tests.conftest import CLI_ACTOR, run_async
from tests.protocols.dc09.test_transmitter import ScriptedReceiver

PYSIA_KEYS = {"plain": None, "aes128": "0123456789ABCDEF", "aes256": "0123456789ABCDEF0123456789ABCDEF"}


@pytest.fixture(autouse=True)
def quiet_peers(caplog: pytest.LogCaptureFixture) -> None:
    """The peers log at INFO and ERROR on their own; keep their noise out of the report."""
    caplog.set_level(logging.CRITICAL, logger="pysiaalarm")
    caplog.set_level(logging.CRITICAL, logger="asyncio")


# --- our transmitter → pysiaalarm ---------------------------------------------------------------------------

def _sia_client(port: int, accounts: list[SIAAccount], on_event: Callable[[SIAEvent], Awaitable[None]],
                protocol: CommunicationsProtocol = CommunicationsProtocol.TCP) -> SIAClient:
    # SIAClient.__new__ returns its concrete TCP or UDP subclass for `protocol`; mypy sees the abstract class.
    return SIAClient("127.0.0.1", port, accounts, on_event, protocol=protocol)  # type: ignore[abstract]


def _tcp_port(client: SIAClient) -> int:
    """The port a started pysiaalarm TCP server listens on (asked for port 0: the system chose it)."""
    assert isinstance(client, SIAClientTCP) and client.server is not None
    return int(client.server.sockets[0].getsockname()[1])


async def _to_pysiaalarm(key: str | None, protocol: CommunicationsProtocol, port: int) -> tuple[list[Result],
                                                                                                 list[SIAEvent]]:
    got: list[SIAEvent] = []

    async def on_event(event: SIAEvent) -> None:
        got.append(event)

    client = _sia_client(port, [SIAAccount("1001", key=key), SIAAccount("1002")], on_event, protocol)
    await client.async_start()
    try:
        if protocol is CommunicationsProtocol.TCP:
            port = _tcp_port(client)
        config = PanelConfig(account="1001", receiver="1", prefix="1", key=key.encode() if key else None,
                             transport="tcp" if protocol is CommunicationsProtocol.TCP else "udp",
                             ack_timeout_s=2.0 if protocol is CommunicationsProtocol.TCP else 0.2, retries=0)
        async with Transmitter("127.0.0.1", port, config) as tx:
            results = [
                await tx.send(sia_message("1001", "PA", 15, area=1).extend(location(51.173893, 53.011478))),
                await tx.send(contact_id("1001", 130, 7, group=2).extend(alarm_text("Back door"))),
                await tx.send(link_test()),
            ]
        for _ in range(50):  # pysiaalarm calls back after it has answered
            if len(got) == 3:
                break
            await asyncio.sleep(0.02)
    finally:
        await client.async_stop()
    return results, got


@pytest.mark.parametrize("key_name", sorted(PYSIA_KEYS))
def test_pysiaalarm_accepts_our_frames_over_tcp(key_name: str) -> None:
    key = PYSIA_KEYS[key_name]
    results, got = run_async(_to_pysiaalarm(key, CommunicationsProtocol.TCP, 0))
    assert [(r.outcome, r.attempts) for r in results] == [(Outcome.ACKNOWLEDGED, 1)] * 3
    assert all(r.response is not None and r.response.encrypted == (key is not None) for r in results)
    assert [(e.account, e.code, e.encrypted) for e in got] == [("1001", "PA", key is not None),
                                                              ("1001", "BA", key is not None),
                                                              ("1001", "RP", key is not None)]
    panic, burglary, _ = got
    assert (panic.ri, panic.message) == ("1", "015")  # area 1, zone 015
    assert {x.identifier: x.value for x in panic.extended_data or []} == {"X": "E51.173893", "Y": "N53.011478"}
    assert (burglary.partition, burglary.ri) == ("02", "007")  # Contact ID 130, group 02, zone 007
    assert all(e.valid_timestamp for e in got)


def test_pysiaalarm_reads_our_udp_datagrams_but_cannot_answer() -> None:
    # pysiaalarm's UDP server asserts its transport is an asyncio.DatagramTransport, which neither CPython 3.11's
    # selector loop nor uvloop subclasses: it decodes every datagram and calls back, but never answers.
    results, got = run_async(_to_pysiaalarm(PYSIA_KEYS["aes128"], CommunicationsProtocol.UDP, free_udp_port()))
    assert [r.outcome for r in results] == [Outcome.TIMEOUT] * 3
    assert [(e.code, e.encrypted) for e in got] == [("PA", True), ("BA", True), ("RP", True)]


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_pysiaalarm_duh_for_an_unknown_code_reaches_our_transmitter() -> None:
    async def main() -> Result:
        async def on_event(event: SIAEvent) -> None:
            return None

        client = _sia_client(0, [SIAAccount("1001")], on_event)
        await client.async_start()
        try:
            port = _tcp_port(client)
            config = PanelConfig(account="1001", receiver="1", prefix="1", ack_timeout_s=2.0, retries=0)
            async with Transmitter("127.0.0.1", port, config) as tx:
                return await tx.send(sia_message("1001", "QQ", 1))
        finally:
            await client.async_stop()

    assert run_async(main()).outcome is Outcome.DUH


# --- my-dc09-spt → our codec --------------------------------------------------------------------------------

def _spt(port: int, account: str, key: bytes | None) -> dc09_spt:
    spt = dc09_spt(account, receiver=1, line=1)
    spt.set_path("main", "primary", "127.0.0.1", port, key=key, type="tcp")
    return spt


@pytest.mark.parametrize("key", [None, bytes(range(16)), bytes(range(32))], ids=["plain", "aes128", "aes256"])
def test_my_dc09_spt_frames_are_read_by_our_codec(key: bytes | None) -> None:
    def ack(frame: Frame) -> bytes:
        return render.ack(frame, key=key, now=datetime.now(UTC).replace(tzinfo=None) if frame.encrypted else None)

    async def body(rcv: ScriptedReceiver) -> None:
        spt = _spt(rcv.tcp_port, "1234", key)
        # send_msg blocks until the receiver's answer (and raises when none came): run it off the loop.
        await asyncio.to_thread(spt.send_msg, "SIA-DCS", {"code": "PA", "zone": 15, "lon": 51.17, "lat": 53.01})
        await asyncio.to_thread(spt.send_msg, "ADM-CID", {"code": "120", "zone": 15, "area": 1, "q": 1})
        await asyncio.to_thread(spt.send_msg, "ADM-CID", {"code": "122", "zone": 3, "area": 1, "q": 3})

    scenario_with(body, policy=ack, key=key)


def scenario_with(body: Callable[[ScriptedReceiver], Awaitable[None]], **receiver: Any) -> ScriptedReceiver:
    async def main() -> ScriptedReceiver:
        async with ScriptedReceiver(**receiver) as rcv:
            await within(body(rcv), 20)
            return rcv

    rcv = run_async(main())
    encrypted = receiver.get("key") is not None
    assert [(f.message_type, f.sequence, f.encrypted, f.prefix, f.receiver, f.account) for f in rcv.frames] == [
        ("SIA-DCS", 1, encrypted, "1", "1", "1234"), ("ADM-CID", 2, encrypted, "1", "1", "1234"),
        ("ADM-CID", 3, encrypted, "1", "1", "1234")]
    assert [f.data for f in rcv.frames] == ["#1234|NPA15", "#1234|1120 01 015", "#1234|3122 01 003"]
    assert [(b.kind, b.value) for b in rcv.frames[0].extended] == [("X", "51.17"), ("Y", "53.01")]
    assert sia.decode(rcv.frames[0].data)[0].zone == "15"
    return rcv


def test_sia_modifier_without_slash_as_my_dc09_spt_writes_it() -> None:
    from my_dc09_spt.msg.dc03_msg import dc03_msg

    data = dc03_msg.dc03event("1234", {"code": "PA", "zone": 15, "area": 1}).removesuffix("]")
    assert data == "#1234|Nri1PA15"
    (event,) = sia.decode(data)
    assert (event.code, event.zone, event.area) == ("PA", "15", "1")


# --- independent transmitters → Qorgau's receiver -----------------------------------------------------------

def _panel(db: Database, code: str, account: str, key: str | None = None) -> None:
    from qorgau.devices import service as device_service
    from qorgau.devices.schemas import DeviceCreate

    with db.unit_of_work() as session:
        device_service.create(session, device_in=DeviceCreate(
            code=code, kind="alarm_panel", name_kk="Дабыл панелі", name_ru="Тревожная панель",
            lon=53.0115, lat=51.1739, lifecycle="commissioned",
            identifiers={"dc09": {"receiver": "1", "line": "1", "account": account}},
            zones=[{"number": 15, "kind": "panic", "name": "Вахта"}],
            dc09_key=key), actor=CLI_ACTOR, ctx=Context.system("test"))


def _panel_events(db: Database) -> int:
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEvent)
                                  .where(OutboxEvent.name == "ingest.panel_event")) or 0)


async def _with_receiver(settings: Settings, db: Database, body: Callable[[int, int], Awaitable[None]]) -> None:
    from qorgau.ingest.runner import IngestRunner

    config = settings.model_copy(update={"dc09_tcp_port": 0, "dc09_udp_port": 0, "sip_enabled": False})
    runner = IngestRunner(config, db, CollectorRegistry())
    await runner.start()
    try:
        adapter = runner.adapters["sia_dc09"]
        assert isinstance(adapter, Dc09Adapter)
        await within(body(adapter.tcp_port, adapter.udp_port), 30)
    finally:
        await runner.stop()


KEY_HEX = "000102030405060708090A0B0C0D0E0F"


def test_my_dc09_spt_to_our_receiver(settings: Settings, db: Database) -> None:
    _panel(db, "PNL-01", "1234")
    _panel(db, "PNL-02", "5678", key=KEY_HEX)

    async def body(tcp: int, udp: int) -> None:
        plain, secret = _spt(tcp, "1234", None), _spt(tcp, "5678", bytes.fromhex(KEY_HEX))
        for spt in (plain, secret):
            await asyncio.to_thread(spt.send_msg, "SIA-DCS", {"code": "PA", "zone": 15, "lon": 51.17, "lat": 53.01})
            await asyncio.to_thread(spt.send_msg, "ADM-CID", {"code": "120", "zone": 15, "area": 1, "q": 1})
        # An unknown account gets DUH, which my-dc09-spt reports as a failure to deliver.
        with pytest.raises(Exception, match="None of the paths"):
            await asyncio.to_thread(_spt(tcp, "9999", None).send_msg, "ADM-CID", {"code": "120", "zone": 1})

    run_async(_with_receiver(settings, db, body))
    assert _panel_events(db) == 4


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_our_transmitter_to_our_receiver(settings: Settings, db: Database, transport: Transport) -> None:
    _panel(db, "PNL-01", "1234")
    _panel(db, "PNL-02", "5678", key=KEY_HEX)

    async def body(tcp: int, udp: int) -> None:
        port = tcp if transport == "tcp" else udp
        plain = PanelConfig(account="1234", receiver="1", prefix="1", transport=transport,
                            ack_timeout_s=3)
        secret = PanelConfig(account="5678", receiver="1", prefix="1", transport=transport,
                             key=bytes.fromhex(KEY_HEX), ack_timeout_s=3)
        async with Transmitter("127.0.0.1", port, plain, first_sequence=9995) as tx:
            # The standard's retransmission test: 9995, 9996, 9995 again, 9997: each event recorded once.
            first = await tx.send(sia_message("1234", "PA", 15))
            assert (await tx.send(sia_message("1234", "BA", 15))).acknowledged
            again = await tx.send(sia_message("1234", "PA", 15), sequence=first.sequence)
            assert (await tx.send(contact_id("1234", 120, 15))).acknowledged
            assert first.acknowledged and again.acknowledged and again.sequence == 9995
            assert (await tx.link_test()).acknowledged
        async with Transmitter("127.0.0.1", port, secret) as tx:
            result = await tx.send(sia_message("5678", "PA", 15).extend(location(51.17, 53.01)))
            assert result.acknowledged and result.response is not None and result.response.encrypted
        unknown = PanelConfig(account="9999", receiver="1", prefix="1", transport=transport,
                              ack_timeout_s=3)
        async with Transmitter("127.0.0.1", port, unknown) as tx:
            assert (await tx.send(sia_message("9999", "PA", 1))).outcome is Outcome.DUH

    run_async(_with_receiver(settings, db, body))
    assert _panel_events(db) == 4
