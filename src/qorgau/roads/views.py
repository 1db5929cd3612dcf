"""HTTP routes of this part (filled in by issue 12)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/roads", tags=["roads"])
