"""The SIA DC-09 receiver's settings: its ports, the retransmission window and its limits per connection."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from qorgau.ingest.config import IngestSettings


class Dc09Settings(IngestSettings):
    """Alarm panels over SIA DC-09, TCP and UDP on the ingest's listen address (`QORGAU_DC09_*`)."""

    section: ClassVar[str] = "SIA DC-09 receiver"

    dc09_enabled: bool = Field(
        default=True, title="SIA DC-09 receiver", description="Listen for SIA DC-09 alarm panels.",
    )
    dc09_tcp_port: int = Field(
        default=12300, ge=0, le=65535, title="DC-09 TCP port", description="TCP port for panels; 0 picks a free one.",
    )
    dc09_udp_port: int = Field(
        default=12300, ge=0, le=65535, title="DC-09 UDP port", description="UDP port for panels; 0 picks a free one.",
    )
    dc09_retransmission_window_s: float = Field(
        default=120.0, gt=0, title="DC-09 retransmission window",
        description="A frame with the account, sequence and content of one recorded this recently is a "
                    "retransmission: acknowledged again, recorded once.",
    )
    dc09_idle_timeout_s: float = Field(
        default=600.0, gt=0, title="DC-09 idle connection timeout",
        description="A TCP connection that sends nothing this long is closed (panels reconnect; stops slow-loris); "
                    "a frame that takes over 30 s to arrive closes it too.",
    )
    dc09_max_connections: int = Field(
        default=10_000, ge=1, title="DC-09 connection limit",
        description="Further TCP connections are refused and counted.",
    )
    dc09_max_frames_per_s: float = Field(
        default=2000.0, gt=0, title="DC-09 frame rate per source",
        description="Frames per second one connection or UDP source may send; the excess is dropped unanswered "
                    "(the panel retries) and counted.",
    )
