"""What a media bridge hosting the SIP listener is told about each call (the voice process, ADR 0045)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from qorgau.ingest.adapters.sip.dialogs import Call
from qorgau.protocols.sip.parser import SipMessage


class CallHooks(Protocol):
    """Called by the UAS in the event loop; `offered` may take its time (it runs before the 200 OK)."""

    async def offered(self, call: Call) -> int | None:
        """The call is about to be answered: bind its media and return the RTP port (None: 503, no port)."""

    def answered(self, call: Call) -> None:
        """The ACK arrived: media flows."""

    def ended(self, call: Call) -> None:
        """The call is over (BYE either way, CANCEL, no ACK, refused, shutdown); `call.end_reason` says why."""


class OutgoingCalls(Protocol):
    """Calls the listener's host places itself (the voice process's callbacks): their responses and in-dialog
    requests arrive on the listener's socket and are handed over."""

    def response(self, message: SipMessage) -> bool:
        """True when `message` answers one of its requests."""

    def request(self, message: SipMessage, reply: Callable[[bytes], None], source: tuple[str, int]) -> bool:
        """True when `message` belongs to one of its dialogs (and was answered)."""
