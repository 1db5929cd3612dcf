"""Strict configuration of the SIP listener: its settings (`QORGAU_SIP_*`), protocol timers and limits."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qorgau.ingest.config import IngestSettings


class SipSettings(IngestSettings):
    """SOS terminals calling over SIP, UDP and TCP on the ingest's listen address (`QORGAU_SIP_*`)."""

    section: ClassVar[str] = "SIP listener"

    sip_enabled: bool = Field(default=True, title="SIP listener", description="Accept SIP calls from SOS terminals.")
    sip_port: int = Field(
        default=5060, ge=0, le=65535, title="SIP port", description="UDP and TCP port for SIP; 0 picks a free one.",
    )


class SipConfig(BaseModel):
    """Everything the SIP adapter reads; unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field(default="127.0.0.1", title="Listen address", description="Address of the UDP and TCP sockets.")
    port: int = Field(default=5060, ge=0, le=65535, title="SIP port",
                      description="UDP and TCP port; 0 picks a free one (the same number for both).")
    realm: str = Field(default="qorgau", min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$",
                       title="Digest realm", description="Realm of the digest challenge sent to terminals with a "
                                                         "password.")
    nonce_ttl_s: float = Field(default=300.0, gt=0, title="Nonce lifetime",
                               description="A digest nonce older than this is answered with a fresh, stale=true "
                                           "challenge.")
    t1_s: float = Field(default=0.5, gt=0, le=10, title="Timer T1",
                        description="Round-trip estimate (RFC 3261): the first retransmission interval over UDP; "
                                    "an unacknowledged final response is given up after 64×T1.")
    t2_s: float = Field(default=4.0, gt=0, le=60, title="Timer T2",
                        description="Longest retransmission interval of a final response over UDP.")
    answer_after_s: float = Field(default=0.0, ge=0, le=60, title="Ring time",
                                  description="How long the terminal hears ringing after the SOS event is recorded "
                                              "before the call is answered.")
    media_host: str | None = Field(default=None, title="Media address",
                                   description="Address put in the SDP answer; empty: the listen address, or the "
                                               "address the terminal called when listening on every interface.")
    media_port_min: int = Field(default=40000, ge=1024, le=65534, title="First media port",
                                description="Start of the even RTP ports reserved per call for a media bridge.")
    media_port_max: int = Field(default=40998, ge=1024, le=65534, title="Last media port",
                                description="End of the reserved RTP port range.")
    max_calls: int = Field(default=1000, ge=1, title="Concurrent calls",
                           description="Further INVITEs are answered 503 Service Unavailable.")
    max_transactions: int = Field(default=20000, ge=16, title="Open transactions",
                                  description="Server transactions kept for retransmissions; further requests get "
                                              "503.")
    max_message_bytes: int = Field(default=65536, ge=1024, le=65536, title="Largest message",
                                   description="A longer TCP message closes the connection.")
    max_tcp_connections: int = Field(default=1000, ge=1, title="TCP connection limit",
                                     description="Further TCP connections are closed at once.")
    tcp_idle_timeout_s: float = Field(default=300.0, gt=0, title="TCP idle timeout",
                                      description="A connection that sends nothing this long is closed.")
    tcp_message_timeout_s: float = Field(default=10.0, gt=0, title="TCP message timeout",
                                         description="A message begun but not finished within this time closes the "
                                                     "connection (slow-loris).")
    max_messages_per_s: float = Field(default=50.0, gt=0, title="Message rate per source",
                                      description="Messages per second one address may send (bursts of twice as "
                                                  "many); the excess is dropped and counted.")

    @model_validator(mode="after")
    def _ranges(self) -> SipConfig:
        if self.t2_s < self.t1_s:
            raise ValueError("t2_s must not be below t1_s")
        if self.media_port_max < self.media_port_min:
            raise ValueError("media_port_max must not be below media_port_min")
        return self

    @classmethod
    def from_settings(cls, settings: SipSettings, **overrides: object) -> SipConfig:
        return cls.model_validate({"host": settings.ingest_host, "port": settings.sip_port, **overrides})

    @property
    def timer_h_s(self) -> float:
        return 64 * self.t1_s
