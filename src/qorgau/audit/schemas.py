"""Audit API models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    id: uuid.UUID
    at: datetime
    actor: str
    actor_name: str | None
    action: str
    outcome: str
    target_type: str | None
    target_id: str | None
    source: str | None
    details: dict[str, Any]
    hash: str


class VerifyRead(BaseModel):
    ok: bool
    records: int
    checkpoints: int
    first_broken_seq: int | None
    missing_after_seq: int | None
    problems: list[str]
