"""Requests the UAS sends itself: BYE when Qorgau hangs up (RFC 3261 §15.1.1), retransmitted over UDP."""

from __future__ import annotations

import asyncio
import secrets

from qorgau.ingest.adapters.sip.dialogs import Call
from qorgau.ingest.adapters.sip.hooks import OutgoingCalls
from qorgau.ingest.adapters.sip.transactions import Peer
from qorgau.protocols.sip.parser import SipMessage, SipParseError, parse_name_addr
from qorgau.protocols.sip.render import request

WILDCARD = ("", "0.0.0.0", "::")  # noqa: S104 - compared with, never bound here
BYE_CSEQ = 1  # our first request in the dialog: our CSeq space is independent of the terminal's


def local_host(listen_host: str, request: SipMessage) -> str:
    """Our address as the terminal sees it: the listen address, or the one it called when listening on all."""
    if listen_host not in WILDCARD:
        return listen_host
    try:
        host = parse_name_addr(f"<{request.uri}>").host
    except SipParseError:
        host = ""
    host = host[1:].partition("]")[0] if host.startswith("[") else host.partition(":")[0]
    return host or "127.0.0.1"


def bye(call: Call, *, local: tuple[str, int]) -> tuple[bytes, str]:
    """The BYE for `call` (From and To swapped, both tags), and its branch."""
    invite = call.invite.request
    contact = invite.get("contact") or ""
    target = contact[contact.find("<") + 1:contact.find(">")] if "<" in contact else contact.split(";")[0].strip()
    host = f"[{local[0]}]" if ":" in local[0] else local[0]
    branch = "z9hG4bK" + secrets.token_hex(8)
    ours = invite.get("to") or ""
    data = request("BYE", target or f"sip:{call.peer.address[0]}:{call.peer.address[1]}",
                   via=f"SIP/2.0/{call.peer.transport.upper()} {host}:{local[1]};branch={branch};rport",
                   from_=ours if "tag=" in ours else f"{ours};tag={call.to_tag}",
                   to=invite.get("from") or "", call_id=call.call_id, cseq=BYE_CSEQ,
                   # The UAS's route set is the INVITE's Record-Route in order (RFC 3261 §12.1.1): a proxy
                   # such as the 102 trunk's stays on the path.
                   headers=[("Route", value) for value in invite.get_all("record-route")])
    return data, branch


class Outgoing:
    """Our requests waiting for a final response; UDP ones are sent again at T1, 2·T1, … up to 64·T1."""

    def __init__(self, t1_s: float, t2_s: float) -> None:
        self.t1_s, self.t2_s = t1_s, t2_s
        self._pending: dict[str, asyncio.Task[None]] = {}
        self.answered: dict[str, int] = {}
        self.client: OutgoingCalls | None = None  # calls the host places itself (the voice process's callbacks)

    def send(self, call: Call, data: bytes, branch: str) -> None:
        call.peer.send(data)
        if call.peer.transport == "udp":
            self._pending[branch] = asyncio.create_task(self._again(call, data, branch))

    async def _again(self, call: Call, data: bytes, branch: str) -> None:
        interval, waited = self.t1_s, 0.0
        while waited < 64 * self.t1_s:
            await asyncio.sleep(interval)
            waited += interval
            call.peer.send(data)
            interval = min(2 * interval, self.t2_s)
        self._pending.pop(branch, None)

    def response(self, message: SipMessage) -> bool:
        """A response to one of our requests (True), which stops its retransmissions when final."""
        via = message.get("via") or ""
        branch = next((part.split("=", 1)[1] for part in via.split(";") if part.strip().startswith("branch=")), "")
        task = self._pending.get(branch.strip())
        if task is None:
            return self.client is not None and self.client.response(message)
        status = message.status or 0
        if status >= 200:
            task.cancel()
            del self._pending[branch.strip()]
            self.answered[message.get("call-id") or ""] = status
        return True

    def theirs(self, request: SipMessage, peer: Peer) -> bool:
        """A request in a dialog of a call the host placed, answered by it (True)."""
        return self.client is not None and self.client.request(request, peer.send, peer.address)

    def stop(self) -> None:
        for task in self._pending.values():
            task.cancel()
        self._pending.clear()
