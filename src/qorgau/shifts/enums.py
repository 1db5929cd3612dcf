"""Vocabulary of shift handovers."""

from __future__ import annotations

from enum import StrEnum


class HandoverState(StrEnum):
    AWAITING_INCOMING = "awaiting_incoming"  # signed by the outgoing supervisor, not yet taken over
    SIGNED = "signed"  # both supervisors signed: the next shift has begun


class HandoverAction(StrEnum):
    """Audit actions: each signature is a record."""

    SIGN_OUTGOING = "shifts.handover_sign_outgoing"
    SIGN_INCOMING = "shifts.handover_sign_incoming"
