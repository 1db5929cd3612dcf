"""Request and response models of the webhook ingest: the event vendors send, and the integration admin API."""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from qorgau.devices.schemas import CODE_PATTERN
from qorgau.ingest.adapters.webhook.config import (
    DEFAULTS,
    NAME_PATTERN,
    TYPE_PATTERN,
    VENDOR_DEVICE_PATTERN,
    VENDOR_ID_PATTERN,
)

SAFE_INTEGER = 2**53 - 1  # larger integers lose precision in the operators' browsers
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _iso_text(value: Any) -> Any:
    """`occurred_at` must be written as ISO 8601 text; pydantic would otherwise take Unix numbers too."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string with a UTC offset")
    return value


def _plausible_utc(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00 has no UTC equivalent
        raise ValueError("date-time out of range") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError("must lie between the years 2000 and 2099")
    return utc


def _walk(value: Any, path: str, depth: int) -> None:
    limits = DEFAULTS
    if isinstance(value, dict | list) and depth > limits.max_data_depth:  # `data` itself is level 1
        raise ValueError(f"{path}: objects and arrays nested deeper than {limits.max_data_depth} levels")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not 0 < len(key) <= limits.max_key_length:
                raise ValueError(f"{path}: keys are 1 to {limits.max_key_length} characters")
            _check_text(key, path)
            _walk(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]", depth + 1)
    elif isinstance(value, str):
        _check_text(value, path)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > SAFE_INTEGER:
            raise ValueError(f"{path}: integers must lie within ±(2^53 − 1)")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{path}: numbers must be finite")
    else:
        raise ValueError(f"{path}: not a JSON value")


def _check_text(text: str, path: str) -> None:
    # NUL and unpaired surrogates cannot be stored as text by PostgreSQL; refuse them here rather than fail there.
    if "\x00" in text:
        raise ValueError(f"{path}: text must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{path}: text must be valid Unicode (no unpaired surrogates)") from None


def _bounded_data(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > DEFAULTS.max_data_keys:
        raise ValueError(f"at most {DEFAULTS.max_data_keys} keys")
    _walk(value, "data", 1)
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    if size > DEFAULTS.max_data_bytes:
        raise ValueError(f"larger than {DEFAULTS.max_data_bytes} bytes as compact JSON")
    return value


class VendorEventIn(BaseModel):
    """The JSON body of a webhook: one event as the vendor's system saw it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: Annotated[str, StringConstraints(pattern=VENDOR_ID_PATTERN)] = Field(
        description="The vendor's unique id of the event (1–128 visible ASCII characters): the idempotency key.",
    )
    type: Annotated[str, StringConstraints(pattern=TYPE_PATTERN)] = Field(
        description="What happened, e.g. line_crossing or door_forced (lower case, digits, _ . -).",
    )
    occurred_at: Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_plausible_utc)] = Field(
        description="When it happened: ISO 8601 with a UTC offset, e.g. 2025-05-01T08:30:00+05:00.",
    )
    device: Annotated[str, StringConstraints(pattern=VENDOR_DEVICE_PATTERN)] | None = Field(
        default=None, description="A registry device code, or the vendor's device id mapped by the integration.",
    )
    data: Annotated[dict[str, Any], AfterValidator(_bounded_data)] = Field(
        default_factory=dict, description="The vendor's own fields: at most 64 keys, 8 levels, 16 KiB.",
    )


class WebhookReceipt(BaseModel):
    """Answer to a webhook: 202 accepted (new event) or 200 duplicate (the event recorded the first time)."""

    status: Literal["accepted", "duplicate"]
    event_id: uuid.UUID = Field(description="Id of the recorded `ingest.vendor_event` event.")


IntegrationName = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
EventTypeName = Annotated[str, StringConstraints(pattern=TYPE_PATTERN)]
VendorDevice = Annotated[str, StringConstraints(pattern=VENDOR_DEVICE_PATTERN)]
DeviceCode = Annotated[str, BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
                      StringConstraints(pattern=CODE_PATTERN)]


def _unique_types(value: list[str]) -> list[str]:
    return sorted(set(value))


def _bounded_map(value: dict[str, str]) -> dict[str, str]:
    if len(value) > DEFAULTS.max_map_entries:
        raise ValueError(f"at most {DEFAULTS.max_map_entries} entries")
    return value


EventTypes = Annotated[
    Annotated[list[EventTypeName], Field(min_length=1, max_length=100), AfterValidator(_unique_types)] | None,
    Field(description="Event types accepted; null: the documented vocabulary."),
]
DeviceMap = Annotated[dict[VendorDevice, DeviceCode], AfterValidator(_bounded_map),
                      Field(description="Vendor device id → registry device code.")]


class IntegrationFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, max_length=200, description="What pushes through it.")
    enabled: bool = Field(default=True, description="Disabled integrations answer 404 to every request.")
    event_types: EventTypes = None
    device_map: DeviceMap = Field(default_factory=dict)


class IntegrationCreate(IntegrationFields):
    name: IntegrationName = Field(description="Lower-case name used in the URL: /api/ingest/webhooks/<name>.")


class IntegrationPatch(BaseModel):
    """Fields left out keep their values."""

    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = None
    event_types: EventTypes = None
    device_map: DeviceMap | None = None


class RotateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grace_s: int = Field(default=DEFAULTS.default_grace_s, ge=0, le=DEFAULTS.max_grace_s,
                         description="How long the previous secret stays valid; 0 ends it now (a leaked secret).")


class IntegrationRead(BaseModel):
    """An integration as admins see it; the secret is never part of it."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    description: str | None
    enabled: bool
    event_types: list[str] | None = Field(description="Accepted types; null: the documented vocabulary.")
    device_map: dict[str, str]
    created_at: datetime
    updated_at: datetime
    last_used_at: datetime | None
    secret_rotated_at: datetime
    previous_secret_until: datetime | None = Field(description="Until when the secret before the last rotation "
                                                               "is still accepted.")


class IntegrationSecret(IntegrationRead):
    """Returned once, on create and rotate: the only time the secret is shown."""

    secret: str = Field(description="HMAC-SHA256 key of the integration; store it now, it is not shown again.")
