"""The SIA DC-09 receiver's settings: its ports, the retransmission window and its limits per connection."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, model_validator

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
    dc09_tls_port: int | None = Field(
        default=None, ge=0, le=65535, title="DC-09 TLS port",
        description="A TCP port for panels that speak DC-09 inside TLS, beside the plain one; 0 picks a free one. "
                    "Empty: no TLS listener. Its certificate: `dc09_tls_cert_file`, else `tls_cert_file`.",
    )
    dc09_tls_cert_file: Path | None = Field(
        default=None, title="DC-09 TLS certificate",
        description="PEM certificate chain of the DC-09 TLS listener (with `dc09_tls_key_file`); empty: the "
                    "server's `tls_cert_file`.",
    )
    dc09_tls_key_file: Path | None = Field(
        default=None, title="DC-09 TLS key", description="PEM private key of `dc09_tls_cert_file`.",
    )
    dc09_udp_receive_buffer_bytes: int = Field(
        default=4 * 1024 * 1024, ge=0, title="DC-09 UDP receive buffer",
        description="Bytes the kernel may hold for the UDP socket (SO_RCVBUF) while the receiver is busy; datagrams "
                    "beyond it are dropped by the kernel and counted in `qorgau_ingest_kernel_drops_total`. The "
                    "kernel caps it at `net.core.rmem_max` (raise that sysctl for more); 0 keeps the system default.",
    )
    dc09_retransmission_window_s: float = Field(
        default=120.0, gt=0, title="DC-09 retransmission window",
        description="A frame with the account, sequence and content of one recorded this recently is a "
                    "retransmission: acknowledged again, recorded once.",
    )
    dc09_idle_timeout_s: float = Field(
        default=600.0, gt=0, title="DC-09 idle connection timeout",
        description="A TCP connection that sends no accepted frame this long is closed (panels reconnect); junk, "
                    "bad CRCs, unknown accounts and stale timestamps do not count as sending. Input that brings no "
                    "accepted frame within 30 s, or 16 rejections in a row, close it too; each close is counted by "
                    "reason.",
    )
    dc09_max_connections: int = Field(
        default=10_000, ge=1, title="DC-09 connection limit",
        description="Further TCP connections are refused and counted.",
    )
    dc09_reserved_connections: int = Field(
        default=1_000, ge=0, title="DC-09 connections kept for known panels",
        description="Of the connection limit, this many are kept for source addresses that have sent an accepted "
                    "frame from a registered account since the receiver started (the receiver learns them: the "
                    "registry holds panels' accounts, not their addresses, which NAT and mobile networks change); "
                    "other addresses are refused, and counted, once only these remain. Below the limit.",
    )
    dc09_max_frames_per_s: float = Field(
        default=2000.0, gt=0, title="DC-09 frame rate per source",
        description="Frames per second one connection or UDP source may send; the excess is dropped unanswered "
                    "(the panel retries) and counted.",
    )

    @model_validator(mode="after")
    def _reserve_below_limit(self) -> Dc09Settings:
        if self.dc09_reserved_connections >= self.dc09_max_connections:
            raise ValueError("dc09_reserved_connections must be below dc09_max_connections")
        if (self.dc09_tls_cert_file is None) != (self.dc09_tls_key_file is None):
            raise ValueError("dc09_tls_cert_file and dc09_tls_key_file go together: set both or neither")
        if self.dc09_tls_port is not None and self.dc09_tls_cert_file is None and self.tls_cert_file is None:
            raise ValueError("dc09_tls_port needs a certificate: dc09_tls_cert_file or tls_cert_file")
        return self

    @property
    def dc09_tls_pair(self) -> tuple[Path, Path] | None:
        """Certificate and key of the TLS listener, or None when it is off."""
        if self.dc09_tls_port is None:
            return None
        if self.dc09_tls_cert_file is not None and self.dc09_tls_key_file is not None:
            return self.dc09_tls_cert_file, self.dc09_tls_key_file
        if self.tls_cert_file is not None and self.tls_key_file is not None:
            return self.tls_cert_file, self.tls_key_file
        return None
