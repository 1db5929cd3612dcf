"""Fixed vocabularies of the legal statistics domain."""

from __future__ import annotations

from enum import StrEnum


class LegalStatsAction(StrEnum):
    """Audit actions of the legal statistics domain."""

    IMPORT = "legalstats.import"
