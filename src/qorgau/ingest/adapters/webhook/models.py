"""Tables of the webhook ingest: integrations (with their encrypted secrets) and receipts (idempotency)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.crypto import EncryptedText
from qorgau.core.db import Base, UTCDateTime


class WebhookIntegration(Base):
    """One vendor system allowed to push events; its secrets are encrypted and loaded only on demand."""

    __tablename__ = "webhook_integrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str | None] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(EncryptedText, deferred=True)
    # After a rotation the previous secret stays valid for a grace period, so a sender can switch without loss.
    previous_secret: Mapped[str | None] = mapped_column(EncryptedText, deferred=True)
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # None: the documented vocabulary (config.VOCABULARY); a list: exactly these types.
    event_types: Mapped[list[str] | None] = mapped_column(JSON)
    # Vendor device id -> registry device code.
    device_map: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    secret_rotated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookReceipt(Base):
    """A vendor event recorded once: the same (integration, event id) again answers with the same event."""

    __tablename__ = "webhook_receipts"
    __table_args__ = (
        UniqueConstraint("integration_id", "vendor_event_id", name="uq_webhook_receipts_integration_event"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("webhook_integrations.id", ondelete="CASCADE"))
    vendor_event_id: Mapped[str] = mapped_column(String(128))
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
