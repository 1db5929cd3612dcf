"""What a media bridge hosting the SIP listener is told about each call (the voice process, ADR 0045)."""

from __future__ import annotations

from typing import Protocol

from qorgau.ingest.adapters.sip.dialogs import Call


class CallHooks(Protocol):
    """Called by the UAS in the event loop; `offered` may take its time (it runs before the 200 OK)."""

    async def offered(self, call: Call) -> int | None:
        """The call is about to be answered: bind its media and return the RTP port (None: 503, no port)."""

    def answered(self, call: Call) -> None:
        """The ACK arrived: media flows."""

    def ended(self, call: Call) -> None:
        """The call is over (BYE either way, CANCEL, no ACK, refused, shutdown); `call.end_reason` says why."""
