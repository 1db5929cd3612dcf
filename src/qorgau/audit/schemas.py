"""Audit API models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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


class CheckpointRead(BaseModel):
    """A signed statement of the chain's head (Ed25519 by the installation's audit key)."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    head_hash: str
    key_id: str
    signature: str


class LastVerifyRead(BaseModel):
    at: datetime
    actor_name: str | None
    ok: bool
    records: int | None


class ChainStatusRead(BaseModel):
    head_seq: int = Field(description="Records in the chain (the newest record's sequence).")
    head_hash: str | None
    latest_checkpoint: CheckpointRead | None
    last_verify: LastVerifyRead | None = Field(description="The latest verification run from the API.")
