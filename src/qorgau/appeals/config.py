"""The appeals' settings: the answer term and its one extension in working days, the reminder lead, attachments."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from qorgau.core.settings import CoreSettings


class AppealsSettings(CoreSettings):
    """Residents' appeals (`QORGAU_APPEAL_*`)."""

    section: ClassVar[str] = "Residents' appeals"

    appeal_term_working_days: int = Field(
        default=15, ge=1, le=60, title="Answer term (working days)",
        description="Working days from registration within which an appeal is answered (Administrative Procedure "
                    "Code of Kazakhstan: 15).",
    )
    appeal_extension_working_days: int = Field(
        default=15, ge=1, le=60, title="Extension (working days)",
        description="Working days one extension adds to the deadline; an appeal is extended at most once, with a "
                    "reason.",
    )
    appeal_reminder_working_days: int = Field(
        default=3, ge=0, le=30, title="Reminder lead (working days)",
        description="The inspector is reminded this many working days before the deadline (0: on the day).",
    )
    appeal_attachment_max_bytes: int = Field(
        default=1_000_000, ge=1_000, le=50_000_000, title="Largest attachment (bytes)",
        description="An attachment larger than this is refused; attachments are stored in the database (the "
                    "request body limit, max_body_bytes, caps it too).",
    )
    appeal_attachment_types: list[str] = Field(
        default=["application/pdf", "image/jpeg", "image/png", "text/plain"], title="Attachment types",
        description="The media types an attachment may have.",
    )
    appeal_check_seconds: int = Field(
        default=300, ge=10, le=86_400, title="Deadline check interval (s)",
        description="How often the reminder and overdue check runs.",
    )
