"""HTTP routes of the offence statistics reports (filled in by its issue)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/statistics/reports", tags=["statistics"])
