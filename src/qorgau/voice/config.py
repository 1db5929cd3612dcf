"""The voice calls' settings (`QORGAU_VOICE_*`): the voice process, the queue's escalation, recordings' retention."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from qorgau.core.settings import CoreSettings


class VoiceSettings(CoreSettings):
    """Voice calls from SOS terminals and the 102 line (`QORGAU_VOICE_*`)."""

    section: ClassVar[str] = "Voice calls"

    voice_enabled: bool = Field(
        default=False, title="Voice enabled",
        description="Run the voice process (SIP user agent, media bridge, recorder): operators answer SOS and 102 "
                    "calls from the desk. When off, the ingest runner keeps its own SIP listener as before.",
    )
    voice_control_port: int = Field(
        default=8091, ge=1, le=65_535, title="Voice control port",
        description="Loopback port of the voice process's control API, which the web server calls.",
    )
    voice_escalate_after_s: int = Field(
        default=20, ge=1, le=3_600, title="Call escalation (s)",
        description="A call waiting this many seconds without an operator escalates to the supervisor, and again "
                    "every as many seconds.",
    )
    voice_recordings_keep_days: int = Field(
        default=30, ge=1, le=3_650, title="Call recordings kept (days)",
        description="Days a call's recording is kept after the call ended, unless it is linked to an incident or "
                    "marked kept.",
    )
    voice_check_seconds: int = Field(
        default=5, ge=1, le=3_600, title="Call queue check interval (s)",
        description="How often waiting calls are checked for escalation.",
    )
    voice_retention_check_seconds: int = Field(
        default=3_600, ge=10, le=86_400, title="Call recordings' retention check (s)",
        description="How often expired call recordings are deleted.",
    )

    @property
    def voice_recordings_dir(self) -> Path:
        """The recordings root: a recording's stored path is relative to it."""
        return self.data_dir / "voice" / "recordings"
