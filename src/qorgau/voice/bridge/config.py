"""Settings of the voice process's 102 trunk (`QORGAU_VOICE_TRUNK_*`): where the exchange's calls come in."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from qorgau.core.settings import CoreSettings


class VoiceTrunkSettings(CoreSettings):
    """The 102 line: a SIP trunk from the telephone exchange (or a proxy such as Kamailio) to the voice process."""

    section: ClassVar[str] = "Voice: 102 trunk"

    voice_trunk_enabled: bool = Field(
        default=False, title="102 trunk",
        description="Accept 102 calls from the exchange's SIP trunk (on its own port, beside the terminals').",
    )
    voice_trunk_port: int = Field(
        default=5070, ge=0, le=65_535, title="Trunk SIP port",
        description="UDP and TCP port the trunk sends its INVITEs to; 0 picks a free one.",
    )
    voice_trunk_hosts: list[str] = Field(
        default_factory=lambda: ["127.0.0.1"], title="Trunk addresses",
        description="Source IP addresses accepted as the trunk (a JSON list); requests from anywhere else get 403.",
    )
