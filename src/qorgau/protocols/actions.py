"""What access points and SOS terminals report, whatever carries it (MQTT payloads, SIP calls, ingest events)."""

from __future__ import annotations

from enum import StrEnum


class AccessAction(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    FORCED = "forced"
    HELD_OPEN = "held_open"


class SosAction(StrEnum):
    BUTTON_PRESSED = "button_pressed"
    CALL_STARTED = "call_started"
    CALL_ANSWERED = "call_answered"
    CALL_ENDED = "call_ended"
    TAMPER = "tamper"
    SELF_TEST = "self_test"
