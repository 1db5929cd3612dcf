"""The JSON payloads devices publish, one strict model per topic kind, and their JSON Schemas for the docs."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from qorgau.protocols.actions import AccessAction, SosAction

SCHEMA_VERSION = "v1"
EventId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Timestamp = Annotated[AwareDatetime, Field(description="When it happened on the device: ISO 8601 with a UTC offset, "
                                                       "e.g. 2025-03-01T08:15:30.250+05:00.")]


class TopicKind(StrEnum):
    """The last level of a topic: what the message is."""

    ACCESS = "access"
    SOS = "sos"
    HEARTBEAT = "heartbeat"
    GPS = "gps"


class _Message(BaseModel):
    # strict: "1" is not 1 and 1 is not true; unknown fields are an error, so a typo is seen, not ignored.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class AccessMessage(_Message):
    """`<prefix>/<device-id>/access`: a turnstile or door controller let someone through, or refused."""

    model_config = ConfigDict(title="Access event")

    action: AccessAction = Field(description="granted, denied, forced (opened without a grant) or held_open.")
    reason: ShortText | None = Field(default=None, description="Why access was denied (denied only), e.g. "
                                                               "unknown_card, expired, schedule.")
    direction: Literal["in", "out"] | None = Field(default=None, description="Which way, when the device knows.")
    card: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        default=None, description="Card or credential number as read. Never stored: Qorgau keeps only a keyed "
                                  "pseudonymous reference of it.")
    ts: Timestamp | None = None
    event_id: EventId | None = Field(default=None, description="The device's unique id of this event; a redelivered "
                                                               "message with the same id is recorded once.")

    @model_validator(mode="after")
    def _reason_only_when_denied(self) -> Self:
        if self.reason is not None and self.action != AccessAction.DENIED:
            raise PydanticCustomError("mqtt.reason_not_denied", "reason is only for action denied")
        return self


class SosMessage(_Message):
    """`<prefix>/<device-id>/sos`: an SOS terminal's button, call progress, tamper switch or self-test."""

    model_config = ConfigDict(title="SOS terminal event")

    action: SosAction = Field(description="button_pressed, call_started, call_answered, call_ended, tamper or "
                                          "self_test.")
    call_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = Field(
        default=None, description="The terminal's id of the call the event belongs to.")
    result: Literal["pass", "fail"] | None = Field(default=None, description="Outcome of a self_test (required "
                                                                             "there, refused elsewhere).")
    detail: ShortText | None = Field(default=None, description="Anything else, e.g. which self-test step failed.")
    ts: Timestamp | None = None
    event_id: EventId | None = Field(default=None, description="The device's unique id of this event; a redelivered "
                                                               "message with the same id is recorded once.")

    @model_validator(mode="after")
    def _result_with_self_test(self) -> Self:
        if (self.action == SosAction.SELF_TEST) != (self.result is not None):
            raise PydanticCustomError("mqtt.self_test_result", "result is required for self_test and only there")
        return self


class HeartbeatMessage(_Message):
    """`<prefix>/<device-id>/heartbeat`: the device is alive (an empty payload means online)."""

    model_config = ConfigDict(title="Heartbeat")

    status: Literal["online", "degraded"] = Field(default="online", description="degraded: alive but something is "
                                                                                 "wrong (say what in detail).")
    detail: ShortText | None = Field(default=None, description="What is wrong, e.g. 'battery 9 %', 'reader fault'.")
    ts: Timestamp | None = None


class GpsMessage(_Message):
    """`<prefix>/<tracker-id>/gps`: a position fix of a unit's tracker."""

    model_config = ConfigDict(title="GPS fix")

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="WGS 84 latitude, degrees.")
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, description="WGS 84 longitude, degrees.")
    ts: Timestamp | None = Field(default=None, description="When the fix was taken: ISO 8601 with a UTC offset. "
                                                           "Also the key that records a redelivered fix once.")
    speed_kmh: float | None = Field(default=None, ge=0, le=1000, allow_inf_nan=False, description="Ground speed.")
    heading_deg: float | None = Field(default=None, ge=0, lt=360, allow_inf_nan=False,
                                      description="Course over ground, degrees from north.")
    accuracy_m: float | None = Field(default=None, ge=0, allow_inf_nan=False, description="Horizontal accuracy, "
                                                                                          "metres.")
    event_id: EventId | None = Field(default=None, description="The tracker's unique id of this fix (optional).")


MESSAGES: dict[TopicKind, type[_Message]] = {
    TopicKind.ACCESS: AccessMessage,
    TopicKind.SOS: SosMessage,
    TopicKind.HEARTBEAT: HeartbeatMessage,
    TopicKind.GPS: GpsMessage,
}


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of each payload, by file name (`access.json`, …), as published in docs/mqtt/schemas."""
    out = {}
    for kind, model in MESSAGES.items():
        schema = model.model_json_schema(mode="validation")
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                  "$id": f"https://qorgau.example/schemas/mqtt/{SCHEMA_VERSION}/{kind}.json", **schema}
        out[f"{kind}.json"] = schema
    return out


def render_schema(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_json_schemas(directory: Path) -> list[Path]:
    """Regenerate the committed schema files (after changing a model): python -m qorgau.protocols.mqtt.schemas DIR."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas().items():
        path = directory / name
        path.write_text(render_schema(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    for written_path in write_json_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/mqtt/schemas")):
        print(written_path)
