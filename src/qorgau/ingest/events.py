"""Events the ingest records about devices: what each signal meant, tied to the registered device.

Ingest never decides what an event is worth (that is the alarm rules' job); it only states, in one vocabulary
for every protocol, what a device reported. Heartbeats are not events: they refresh the registry's health,
which publishes `devices.health_changed` when a device goes offline or comes back.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type
from qorgau.protocols.actions import AccessAction, SosAction
from qorgau.protocols.dc09.codes import Kind as PanelKind


class Position(EventPayload):
    lon: float = Field(ge=-180, le=180, description="WGS 84 longitude.")
    lat: float = Field(ge=-90, le=90, description="WGS 84 latitude.")


class PanelEvent(EventPayload):
    device_code: str = Field(description="Registry code of the alarm panel.")
    site_code: str | None = Field(default=None, description="Site the panel protects (a school, a МОП…).")
    kind: PanelKind = Field(description="Normalised meaning: panic, duress, silent_panic, burglary, fire, tamper, "
                                        "ac_loss, low_battery, test, access_*, open, close or unknown.")
    restore: bool = Field(description="The condition ended (restore / closing qualifier).")
    code: str = Field(description="The raw event code as sent (SIA two letters, or Contact ID three digits).")
    protocol: str = Field(description="SIA-DCS (SIA DC-03) or ADM-CID (Contact ID).")
    qualifier: str | None = Field(default=None, description="Contact ID qualifier: new, restore or status.")
    zone: str | None = Field(default=None, description="Zone number, if the code reports a zone.")
    zone_kind: str | None = Field(default=None, description="The registry's kind of that zone (panic, door…).")
    zone_name: str | None = Field(default=None, description="The registry's name of that zone.")
    user: str | None = Field(default=None, description="User number, if the code reports a user.")
    area: str | None = Field(default=None, description="Area (partition) number.")
    account: str = Field(description="Panel account number.")
    receiver: str | None = Field(default=None, description="Receiver number from the frame.")
    line: str = Field(description="Line prefix from the frame.")
    sequence: int = Field(description="DC-09 sequence number of the frame.")
    encrypted: bool = Field(description="The frame was AES-encrypted.")
    panel_time: datetime | None = Field(default=None, description="Time stamp the panel put on the frame (UTC).")
    location: Position | None = Field(default=None, description="Position sent in extended data (X/Y).")
    text: str | None = Field(default=None, description="Free text sent in extended data (I).")
    verification_url: str | None = Field(default=None, description="Video/audio verification link (V).")
    extended: dict[str, str] = Field(default_factory=dict, description="Every extended data block by its letter.")


class AccessEvent(EventPayload):
    device_code: str = Field(description="Registry code of the turnstile or door controller.")
    site_code: str | None = Field(default=None, description="Site of the access point.")
    action: AccessAction = Field(description="granted, denied, forced or held_open.")
    reason: str | None = Field(default=None, description="Why access was denied, as the device reported it.")
    direction: str | None = Field(default=None, description="in or out, when the device knows.")
    credential_ref: str | None = Field(default=None, description="Pseudonymous reference of the card (never the "
                                                                 "card number itself).")
    device_time: datetime | None = Field(default=None, description="Time stamp from the device (UTC).")


class SosEvent(EventPayload):
    device_code: str = Field(description="Registry code of the SOS terminal.")
    site_code: str | None = Field(default=None, description="Site of the terminal.")
    action: SosAction = Field(description="button_pressed, call_started, call_answered, call_ended, tamper or "
                                          "self_test.")
    channel: str = Field(description="How it arrived: mqtt or sip.")
    position: Position = Field(description="Where the terminal stands (from the registry).")
    call_id: str | None = Field(default=None, description="The call this belongs to (SIP Call-ID or the "
                                                          "terminal's own id).")
    result: str | None = Field(default=None, description="Self-test outcome: pass or fail, with detail.")
    detail: str | None = Field(default=None, description="Anything else the terminal reported.")
    device_time: datetime | None = Field(default=None, description="Time stamp from the device (UTC).")


class GpsFix(EventPayload):
    tracker_id: str = Field(description="The tracker's own id; the dispatch desk binds trackers to units.")
    position: Position = Field(description="The fix.")
    fix_time: datetime = Field(description="When the tracker took the fix (UTC).")
    speed_kmh: float | None = Field(default=None, ge=0, description="Ground speed.")
    heading_deg: float | None = Field(default=None, ge=0, lt=360, description="Course over ground.")
    accuracy_m: float | None = Field(default=None, ge=0, description="Horizontal accuracy.")
    source: str = Field(default="mqtt", description="mqtt, unit_app or webhook.")


class VendorEvent(EventPayload):
    integration: str = Field(description="Name of the webhook integration that pushed it.")
    vendor_event_id: str = Field(description="The vendor's id of the event (the idempotency key).")
    type: str = Field(description="The vendor's event type, e.g. line_crossing, face_match, door_forced.")
    device_code: str | None = Field(default=None, description="Registry device it concerns, if any.")
    occurred_at: datetime = Field(description="When the vendor says it happened (UTC).")
    data: dict[str, object] = Field(default_factory=dict, description="The vendor's validated fields.")


PANEL_EVENT = event_type(
    "ingest.panel_event", PanelEvent, subject_type="device",
    description="An alarm panel reported an event over SIA DC-09 (SIA DC-03 or Contact ID payload).",
)
ACCESS_EVENT = event_type(
    "ingest.access_event", AccessEvent, subject_type="device",
    description="A turnstile or door controller reported access granted, denied, forced or held open.",
)
SOS_EVENT = event_type(
    "ingest.sos_event", SosEvent, subject_type="device",
    description="An SOS terminal: button pressed, call started/answered/ended (MQTT or SIP), tamper, self-test.",
)
GPS_FIX = event_type(
    "ingest.gps_fix", GpsFix, subject_type="tracker",
    description="A position fix from a unit's GPS tracker.",
)
VENDOR_EVENT = event_type(
    "ingest.vendor_event", VendorEvent, subject_type="integration",
    description="An event pushed by a vendor's system through a signed webhook.",
)
