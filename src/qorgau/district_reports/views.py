"""HTTP routes of this domain (filled in by its issue)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/district-reports", tags=["district_reports"])
