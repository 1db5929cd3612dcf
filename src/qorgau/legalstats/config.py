"""The legal statistics settings: which reading of clearance the figures show by default."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from qorgau.core.settings import CoreSettings

# The codes of qorgau.legalstats.clearance.READINGS (a test keeps the two in step).
ClearanceReadingCode = Literal["department", "registered", "unidentified", "court", "caseload"]


class LegalStatsSettings(CoreSettings):
    """Official legal statistics and clearance (`QORGAU_STATS_*`)."""

    section: ClassVar[str] = "Legal statistics"

    stats_clearance_reading: ClearanceReadingCode = Field(
        default="department", title="Clearance reading",
        description="The reading of clearance (раскрываемость) shown first: department = completed / (completed "
                    "+ interrupted); registered = completed / registered; unidentified = completed / (completed + "
                    "interrupted for want of an identified offender); court = sent to court / (sent to court + "
                    "interrupted); caseload = completed / (registered + carried over). The others stay available "
                    "as named alternatives.",
    )
