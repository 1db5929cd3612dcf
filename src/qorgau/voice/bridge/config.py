"""Settings of the voice process's 102 trunk (`QORGAU_VOICE_TRUNK_*`): where the exchange's calls come in."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr

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
    voice_trunk_proxy: str = Field(
        default="", title="Trunk proxy for callbacks", pattern=r"^$|^[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}$",
        description="host:port of the exchange's SIP proxy that calls back 102 callers go through (empty: no "
                    "callbacks to 102 callers).",
    )
    voice_trunk_username: str = Field(
        default="", title="Trunk username", description="Digest username if the exchange challenges our calls.",
    )
    voice_trunk_password: SecretStr | None = Field(
        default=None, title="Trunk password", description="Digest password if the exchange challenges our calls.",
    )

    def proxy(self) -> tuple[str, int] | None:
        """The proxy as (host, port), or None when no callbacks go to 102 callers."""
        if not self.voice_trunk_proxy:
            return None
        host, _, port = self.voice_trunk_proxy.rpartition(":")
        return host.strip("[]"), int(port)

    def credentials(self) -> tuple[str, str] | None:
        """(username, password) for the exchange's digest challenge, when both are set."""
        if not self.voice_trunk_username or self.voice_trunk_password is None:
            return None
        return self.voice_trunk_username, self.voice_trunk_password.get_secret_value()
