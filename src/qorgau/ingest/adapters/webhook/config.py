"""Limits and vocabulary of the webhook ingest, each described; the clock tolerance is a setting."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from qorgau.ingest.config import IngestSettings

# The documented vocabulary an integration accepts when it names no event types of its own.
VOCABULARY: tuple[str, ...] = (
    "line_crossing", "intrusion", "loitering", "face_match", "plate_match", "door_forced", "access_denied",
    "access_granted", "tamper", "video_loss",
)
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
TYPE_PATTERN = r"^[a-z][a-z0-9_.-]{0,63}$"
# Visible ASCII without spaces: vendor ids go into URLs, logs and JSON without escaping surprises.
VENDOR_ID_PATTERN = r"^[!-~]{1,128}$"
VENDOR_DEVICE_PATTERN = r"^[!-~]{1,64}$"


class WebhookSettings(IngestSettings):
    """Signed webhooks from cameras and access control (`QORGAU_WEBHOOK_*`)."""

    section: ClassVar[str] = "Webhooks"

    webhook_tolerance_s: int = Field(
        default=300, ge=1, title="Webhook clock tolerance",
        description="A signed webhook whose timestamp is further than this from the server's clock is refused.",
    )


class WebhookConfig(BaseModel):
    """Bounds on what one webhook may carry; requests outside them are refused with 4xx."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_types: tuple[str, ...] = Field(
        default=VOCABULARY, title="Default event types",
        description="Types accepted from an integration that does not list its own.",
    )
    max_data_keys: int = Field(
        default=64, ge=1, title="Keys in data", description="Most top-level keys of an event's `data` object.",
    )
    max_data_depth: int = Field(
        default=8, ge=1, title="Nesting of data", description="Deepest nesting of objects and arrays in `data`.",
    )
    max_data_bytes: int = Field(
        default=16_384, ge=256, title="Size of data", description="Largest `data` object, as compact JSON.",
    )
    max_key_length: int = Field(
        default=64, ge=1, title="Key length", description="Longest key of any object inside `data`.",
    )
    max_map_entries: int = Field(
        default=10_000, ge=1, title="Device mapping size",
        description="Most vendor device ids one integration may map to registry codes.",
    )
    secret_bytes: int = Field(
        default=32, ge=16, title="Secret strength", description="Random bytes in a new integration secret.",
    )
    default_grace_s: int = Field(
        default=86_400, ge=0, title="Rotation grace period",
        description="After a rotation the previous secret stays valid this long, so senders can switch over.",
    )
    max_grace_s: int = Field(
        default=7 * 86_400, ge=0, title="Longest grace period", description="Upper bound of a rotation's grace.",
    )
    touch_interval_s: int = Field(
        default=60, ge=0, title="Last-used precision",
        description="An integration's last-used time is written at most this often (fewer writes under load).",
    )


DEFAULTS = WebhookConfig()
