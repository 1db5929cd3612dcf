"""The MQTT adapter's configuration: its settings (`QORGAU_MQTT_*`), plus tunables with safe defaults."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from qorgau.core.errors import ConfigError
from qorgau.ingest.config import IngestSettings
from qorgau.protocols.mqtt.broker import broker_address


class MqttSettings(IngestSettings):
    """Devices publishing to an MQTT broker that Qorgau subscribes to (`QORGAU_MQTT_*`)."""

    section: ClassVar[str] = "MQTT"

    mqtt_url: str | None = Field(
        default=None, title="MQTT broker",
        description="`mqtt://host:1883` or `mqtts://host:8883` of the broker devices publish to; empty: MQTT off.",
    )
    mqtt_username: str | None = Field(default=None, title="MQTT user", description="Qorgau's own broker login.")
    mqtt_password: SecretStr | None = Field(default=None, title="MQTT password",
                                            description="Qorgau's broker password.")
    mqtt_ca_file: Path | None = Field(
        default=None, title="MQTT CA file",
        description="CA certificate to verify an `mqtts://` broker; empty: the system's CAs.",
    )
    mqtt_cert_file: Path | None = Field(
        default=None, title="MQTT client certificate",
        description="PEM certificate Qorgau presents to an `mqtts://` broker that requires one (with "
                    "`mqtt_key_file`); empty: none.",
    )
    mqtt_key_file: Path | None = Field(
        default=None, title="MQTT client key", description="PEM private key of `mqtt_cert_file`.",
    )
    mqtt_client_id: str = Field(
        default="qorgau-ingest", min_length=1, max_length=64, title="MQTT client id",
        description="Client id of Qorgau's persistent session; keep it stable so queued messages survive restarts.",
    )
    mqtt_topic_prefix: str = Field(
        default="qorgau/v1", min_length=1, title="MQTT topic prefix",
        description="Devices publish to `<prefix>/<device-id>/<kind>` (see `docs/mqtt/README.md`).",
    )


class MqttConfig(BaseModel):
    """Where the broker is, how Qorgau logs in, and how its persistent session behaves."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1, title="Broker host", description="Host name or address of the broker.")
    port: int = Field(ge=1, le=65535, title="Broker port", description="1883 for mqtt://, 8883 for mqtts://.")
    tls: bool = Field(default=False, title="TLS", description="Connect with TLS (mqtts://).")
    ca_file: Path | None = Field(default=None, title="CA file",
                                 description="CA certificate that verifies the broker; empty: the system CAs.")
    cert_file: Path | None = Field(default=None, title="Client certificate",
                                   description="Certificate Qorgau presents to the broker (mutual TLS).")
    key_file: Path | None = Field(default=None, title="Client key", description="Private key of the certificate.")
    username: str | None = Field(default=None, title="User", description="Qorgau's broker login.")
    password: SecretStr | None = Field(default=None, title="Password", description="Qorgau's broker password.")
    client_id: str = Field(min_length=1, max_length=64, title="Client id",
                           description="Id of Qorgau's persistent session; stable across restarts.")
    topic_prefix: str = Field(min_length=1, title="Topic prefix", description="Devices publish to "
                                                                              "<prefix>/<device-id>/<kind>.")
    keepalive_s: int = Field(default=30, ge=5, le=600, title="Keep-alive",
                             description="Seconds between pings; a dead broker is noticed within 1.5 times this.")
    session_expiry_s: int = Field(default=7 * 86400, ge=60, title="Session expiry",
                                  description="How long the broker keeps Qorgau's session and queues messages for "
                                              "it while Qorgau is down.")
    receive_maximum: int = Field(default=1000, ge=1, le=65535, title="Receive maximum",
                                 description="Messages the broker may send before Qorgau acknowledges (the "
                                             "in-flight window of the group commit).")
    max_payload_bytes: int = Field(default=16384, ge=256, title="Largest payload",
                                   description="Larger payloads are refused (and acknowledged).")
    max_clock_skew_s: float = Field(default=300.0, ge=0, title="Clock skew",
                                    description="A device time further than this in the future is not trusted as "
                                                "the moment of the event (receipt time is used; the device time is "
                                                "kept in the payload).")
    reconnect_min_s: int = Field(default=1, ge=1, title="First reconnect delay",
                                   description="Delay before the first reconnect attempt; doubles each failure.")
    reconnect_max_s: int = Field(default=30, ge=1, title="Longest reconnect delay",
                                   description="Upper bound of the reconnect delay.")
    drain_timeout_s: float = Field(default=5.0, ge=0, title="Drain on stop",
                                   description="On stop, how long to wait for messages being committed to be "
                                               "acknowledged before disconnecting.")

    @classmethod
    def from_settings(cls, settings: MqttSettings) -> MqttConfig | None:
        """The configuration, or None when `mqtt_url` is empty (MQTT off)."""
        if not settings.mqtt_url:
            return None
        host, port, tls = parse_url(settings.mqtt_url)
        if (settings.mqtt_cert_file is None) != (settings.mqtt_key_file is None):
            raise ConfigError("mqtt_cert_file and mqtt_key_file go together: set both or neither")
        return cls(host=host, port=port, tls=tls, ca_file=settings.mqtt_ca_file, cert_file=settings.mqtt_cert_file,
                   key_file=settings.mqtt_key_file, username=settings.mqtt_username,
                   password=settings.mqtt_password, client_id=settings.mqtt_client_id,
                   topic_prefix=settings.mqtt_topic_prefix.strip("/"))


def parse_url(url: str) -> tuple[str, int, bool]:
    """(host, port, tls) of mqtt://host[:port] or mqtts://host[:port]; ConfigError for anything else."""
    try:
        return broker_address(url)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
