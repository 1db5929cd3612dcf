"""Callback signalling against a raw SIP peer on a real socket: busy, no answer, CANCEL, digest, the far end's BYE."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from qorgau.core.db import Database
from qorgau.protocols.sip.digest import DigestAuth
from qorgau.protocols.sip.parser import SipMessage
from qorgau.protocols.sip.render import request, response
from qorgau.settings import Settings
from qorgau.voice.control import BridgeError
from qorgau.voice.models import VoiceCall
from tests.ingest.adapters.sip.conftest import run, terminals  # noqa: F401 - fixtures
from tests.ingest.adapters.sip.raw import UdpClient
from tests.voice.bridge_peers import Stack, voice_stack
from tests.voice.test_sip_faults import voice_calls, wait_db

NUMBER = "+77015550199"
ANSWER_SDP = (b"v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
              b"m=audio 45000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n")


async def exchange(stack: Stack, **dial: Any) -> tuple[UdpClient, int, SipMessage]:
    """A raw peer as the trunk's proxy; the callback's INVITE as it arrived there."""
    peer = await UdpClient(stack.trunk.port).open()
    stack.bridge.dial_from("trunk", stack.trunk, proxy=("127.0.0.1", peer.local_port), **dial)
    call_id = (await stack.client.callback(device_code=None, number=NUMBER, operator_id=7)).call_id
    invite = await peer.recv(3)
    assert invite.method == "INVITE" and invite.uri == f"sip:{NUMBER}@127.0.0.1:{peer.local_port}"
    assert b"m=audio" in invite.body and b"RTP/AVP 0 8 101" in invite.body
    return peer, call_id, invite


def reply(peer: UdpClient, invite: SipMessage, status: int, **kwargs: Any) -> None:
    peer.send_raw(response(invite, status, source=("127.0.0.1", peer.port), to_tag="peer1", **kwargs))


async def method(peer: UdpClient, name: str) -> SipMessage:
    """The next request `name` the peer receives (skipping retransmissions of earlier ones)."""
    while (message := await peer.recv(3)).method != name:
        assert message.method == "INVITE", message.method
    return message


async def ended(db: Database, call_id: int) -> VoiceCall:
    rows = await wait_db(db, lambda rows: any(r.id == call_id and r.state == "ended" for r in rows))
    return next(r for r in rows if r.id == call_id)


@pytest.mark.timeout(30)
def test_a_busy_far_end_is_acknowledged_and_the_callback_ends_refused(
        terminals: Database, settings: Settings, run: Any) -> None:  # noqa: F811
    async def scenario() -> tuple[VoiceCall, SipMessage]:
        async with voice_stack(terminals, settings) as stack:
            peer, call_id, invite = await exchange(stack)
            reply(peer, invite, 100)
            reply(peer, invite, 486)
            ack = await peer.recv(3)
            row = await ended(terminals, call_id)
            assert not stack.bridge.calls and stack.bridge.pool.in_use == 0
            peer.close()
            return row, ack

    row, ack = run(scenario())
    assert ack.method == "ACK" and "tag=peer1" in (ack.get("to") or "")
    assert (row.kind, row.caller, row.end_reason) == ("callback", NUMBER, "refused")


@pytest.mark.timeout(30)
def test_the_operator_hanging_up_while_it_rings_sends_cancel_and_acknowledges_the_487(
        terminals: Database, settings: Settings, run: Any) -> None:  # noqa: F811
    async def scenario() -> tuple[VoiceCall, list[str]]:
        async with voice_stack(terminals, settings) as stack:
            peer, call_id, invite = await exchange(stack)
            reply(peer, invite, 180)
            await wait_db(terminals, lambda rows: any(r.id == call_id for r in rows))
            await stack.client.hangup(call_id)
            cancel = await peer.recv(3)
            assert cancel.method == "CANCEL" and cancel.get("via") == invite.get("via")
            peer.send_raw(response(cancel, 200, source=("127.0.0.1", peer.port), to_tag="peer1"))
            reply(peer, invite, 487)
            seen = [m.method or str(m.status) for m in await peer.quiet(1.0)]
            peer.close()
            return await ended(terminals, call_id), seen

    row, seen = run(scenario())
    assert seen == ["ACK"] and row.end_reason == "operator_hung_up"


@pytest.mark.timeout(30)
def test_a_challenging_trunk_gets_digest_credentials_then_the_answer_is_acked_and_its_bye_ends_the_call(
        terminals: Database, settings: Settings, run: Any) -> None:  # noqa: F811
    auth = DigestAuth("exchange.invalid")

    async def scenario() -> tuple[VoiceCall, Any]:
        async with voice_stack(terminals, settings) as stack:
            peer, call_id, invite = await exchange(stack, credentials=("qorgau", "s3cret"))
            reply(peer, invite, 407, headers=[("Proxy-Authenticate", auth.challenge())])
            assert (await peer.recv(3)).method == "ACK"
            again = await peer.recv(3)
            verdict = auth.check(again.get("proxy-authorization"), method="INVITE", uri=again.uri or "",
                                 username="qorgau", password="s3cret")
            assert verdict.ok, verdict
            assert again.get("call-id") == invite.get("call-id") and again.get("cseq") == "2 INVITE"
            reply(peer, again, 200, headers=[("Contact", f"<sip:caller@127.0.0.1:{peer.local_port}>")],
                  body=ANSWER_SDP, content_type="application/sdp")
            ack = await peer.recv(3)
            assert ack.method == "ACK" and ack.get("cseq") == "2 ACK"
            media = next(c for c in await stack.client.calls() if c.call_id == call_id)
            assert media.codec == "PCMA"
            peer.send_raw(request("BYE", f"sip:qorgau@127.0.0.1:{stack.trunk.port}",
                                  via=f"SIP/2.0/UDP 127.0.0.1:{peer.local_port};branch=z9hG4bKbye1",
                                  from_=(again.get("to") or "") + ";tag=peer1", to=again.get("from") or "",
                                  call_id=again.get("call-id") or "", cseq=1))
            ok = await peer.recv(3)
            peer.close()
            return await ended(terminals, call_id), ok

    row, ok = run(scenario())
    assert ok.status == 200 and row.end_reason == "caller_hung_up"


@pytest.mark.timeout(30)
def test_nobody_to_call_is_refused_with_a_code_and_nothing_is_recorded(
        terminals: Database, settings: Settings, run: Any) -> None:  # noqa: F811
    async def scenario() -> list[str]:
        async with voice_stack(terminals, settings) as stack:
            stack.bridge.dial_from("terminals", stack.adapter)
            codes = []
            for dial in ({"device_code": "SOS-0001", "number": None}, {"device_code": None, "number": NUMBER}):
                try:
                    await stack.client.callback(operator_id=7, **dial)
                except BridgeError as exc:
                    codes.append(exc.code)
            await asyncio.sleep(0.1)
            assert await asyncio.to_thread(voice_calls, terminals) == []
            return codes

    assert run(scenario()) == ["voice.no_contact", "voice.no_trunk"]


@pytest.mark.timeout(30)
def test_a_far_end_that_rings_too_long_is_cancelled_and_one_that_never_answers_times_out(
        terminals: Database, settings: Settings, run: Any) -> None:  # noqa: F811
    async def scenario() -> tuple[list[str], list[VoiceCall]]:
        async with voice_stack(terminals, settings, t1_s=0.05, t2_s=0.2) as stack:
            peer, ringing, invite = await exchange(stack, ring_timeout_s=0.5)
            reply(peer, invite, 180)
            cancel = await method(peer, "CANCEL")  # the ring timeout (INVITEs resent before the 180 may precede)
            peer.send_raw(response(cancel, 200, source=("127.0.0.1", peer.port), to_tag="peer1"))
            reply(peer, invite, 487)
            await method(peer, "ACK")
            silent = (await stack.client.callback(device_code=None, number=NUMBER, operator_id=7)).call_id
            resent = [m.method or "" for m in await peer.quiet(1.0)]  # timer A, never answered
            peer.close()
            rows = await wait_db(terminals, lambda rows: len(rows) == 2 and all(r.state == "ended" for r in rows),
                                 timeout_s=10)
            assert [r.id for r in rows] == [ringing, silent]
            return resent, rows

    resent, rows = run(scenario())
    assert resent.count("INVITE") >= 3, resent
    assert [(r.end_reason, r.caller) for r in rows] == [("unanswered", NUMBER), ("failed", NUMBER)]
