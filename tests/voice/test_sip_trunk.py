"""The 102 trunk: a baresip caller through a real Kamailio proxy, and a PIDF-LO location on a raw INVITE."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from qorgau.core.db import Database
from qorgau.protocols.sip.parser import parse
from qorgau.settings import Settings
from qorgau.voice.bridge.trunk import caller_number, split_body
from qorgau.voice.models import VoiceCall
from tests.ingest.adapters.sip.conftest import free_port, run, terminals  # noqa: F401 - fixtures
from tests.ingest.adapters.sip.raw import UdpClient, to_tag
from tests.voice.bridge_peers import BARESIP, KAMAILIO, baresip, kamailio, tone, voice_stack, write_wav
from tests.voice.test_bridge_media import until
from tests.voice.test_sip_faults import offer, voice_calls, wait_db

CALLER = "+77015550123"
PIDF = ('<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" '
        'xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" xmlns:gml="http://www.opengis.net/gml" '
        'entity="pres:caller@exchange.invalid"><tuple id="t"><status><gp:geopriv><gp:location-info>'
        '<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>51.1739 53.0115</gml:pos></gml:Point>'
        '</gp:location-info></gp:geopriv></status></tuple></presence>')


def multipart(sdp: str) -> tuple[str, str]:
    boundary = "qorgau-test-boundary"
    body = (f"--{boundary}\r\nContent-Type: application/sdp\r\n\r\n{sdp}\r\n--{boundary}\r\n"
            f"Content-Type: application/pidf+xml\r\nContent-ID: <loc@exchange.invalid>\r\n\r\n{PIDF}\r\n"
            f"--{boundary}--\r\n")
    return body, f'multipart/mixed; boundary="{boundary}"'


@pytest.mark.skipif(BARESIP is None or KAMAILIO is None, reason="baresip and kamailio are needed")
@pytest.mark.timeout(60)
def test_a_102_call_through_kamailio_rings_with_the_callers_number_and_our_bye_goes_back_through_it(
        terminals: Database, settings: Settings, tmp_path: Path, run: Any) -> None:  # noqa: F811
    source = write_wav(tmp_path / "caller.wav", tone(600.0, 20.0))

    async def scenario() -> list[VoiceCall]:
        async with voice_stack(terminals, settings) as stack:
            proxy_port = free_port()
            async with kamailio(tmp_path / "kamailio", proxy_port, stack.trunk.port), \
                    baresip(tmp_path / "caller", proxy_port, user=CALLER, source=source, dial="102") as caller:
                calls = await until(lambda: _flowing(stack), 15, "the caller's RTP at the bridge")
                rows = await asyncio.to_thread(voice_calls, terminals)
                assert [(r.kind, r.caller, r.device_code) for r in rows] == [("line102", CALLER, None)]
                await stack.client.hangup(calls[0].call_id)
                await caller.wait_for("session closed", 10)  # our BYE went back through the proxy's route
            return await wait_db(terminals, lambda rows: rows and rows[0].state == "ended")

    rows = run(scenario())
    assert rows[0].end_reason == "operator_hung_up" and rows[0].recording_path is not None


async def _flowing(stack: Any) -> list[Any]:
    return [call for call in await stack.client.calls() if call.rx_packets > 10]


def test_a_trunk_invite_with_pidf_lo_carries_the_callers_place(
        terminals: Database, settings: Settings, run: Any) -> None:  # noqa: F811
    async def scenario() -> list[VoiceCall]:
        async with voice_stack(terminals, settings) as stack:
            client = await UdpClient(stack.trunk.port, user=CALLER).open()
            body, content_type = multipart(offer(40000))
            client.send_raw(client_request(client, body, content_type))
            ok = await client.until(200, timeout=5)
            assert b"m=audio" in ok.body
            client.send("ACK", branch="z9hG4bK-t2", to_tag=to_tag(ok))
            await wait_db(terminals, lambda rows: bool(rows))
            client.send("BYE", branch="z9hG4bK-t3", cseq=2, to_tag=to_tag(ok))
            await client.until(200)
            client.close()
            return await wait_db(terminals, lambda rows: rows and rows[0].state == "ended")

    rows = run(scenario())
    assert [(r.kind, r.caller, r.lon, r.lat, r.end_reason) for r in rows] == [
        ("line102", CALLER, 53.0115, 51.1739, "unanswered")]


def client_request(client: UdpClient, body: str, content_type: str) -> bytes:
    from tests.ingest.adapters.sip.raw import request

    data = request("INVITE", user=client.user, port=client.port, local_port=client.local_port,
                   call_id=client.call_id, branch="z9hG4bK-t1",
                   extra=f"Geolocation: <cid:loc@exchange.invalid>\r\nContent-Type: {content_type}\r\n")
    return data.replace(b"Content-Length: 0\r\n\r\n", f"Content-Length: {len(body.encode())}\r\n\r\n{body}".encode())


def test_caller_number_prefers_the_asserted_identity_and_refuses_non_numbers() -> None:
    def message(extra: str) -> Any:
        return parse((f"INVITE sip:102@q SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
                      f"From: <sip:anonymous@h>;tag=1\r\nTo: <sip:102@q>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
                      f"{extra}Content-Length: 0\r\n\r\n").encode())

    assert caller_number(message("P-Asserted-Identity: <sip:+77015550123@ex>\r\n")) == CALLER
    assert caller_number(message("P-Asserted-Identity: <sip:drop;table@ex>\r\n")) is None
    assert caller_number(message("")) is None
    plain = message("")
    assert split_body(plain) == (b"", None)
