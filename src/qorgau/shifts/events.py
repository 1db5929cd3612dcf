"""Events of shift handovers."""

from __future__ import annotations

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type
from qorgau.shifts.enums import HandoverState


class HandoverChanged(EventPayload):
    handover_id: int = Field(description="The handover's id.")
    state: HandoverState = Field(description="awaiting_incoming after the outgoing signature, signed after both.")
    outgoing: str = Field(description="The outgoing supervisor's username.")
    incoming: str | None = Field(default=None, description="The incoming supervisor's username, once signed.")


HANDOVER_STARTED = event_type("shifts.handover_started", HandoverChanged, subject_type="handover",
                              description="The outgoing supervisor signed a shift handover.")
HANDOVER_SIGNED = event_type("shifts.handover_signed", HandoverChanged, subject_type="handover",
                             description="The incoming supervisor signed the handover: the next shift has begun.")
