"""What the MQTT adapter speaks, for the adapter registry and the docs."""

from __future__ import annotations

from qorgau.ingest.adapters.sia_dc09.manifest import Manifest

MANIFEST = Manifest(
    name="mqtt",
    protocol="MQTT 5.0 client of an external broker (Mosquitto or any MQTT 5 broker)",
    transports=("tcp", "tls"),
    payloads=("JSON access event", "JSON SOS terminal event", "JSON heartbeat", "JSON GPS fix"),
    supports=(
        "topics <prefix>/<device-id>/<access|sos|heartbeat|gps>",
        "QoS 1, persistent session (clean start off, session expiry)",
        "acknowledgement only after the events are committed",
        "redelivery recorded once when the device sends event_id (GPS: its time stamp)",
        "TLS with a private CA (mqtts://)",
        "automatic reconnect with back-off",
        "card numbers replaced by keyed pseudonymous references",
    ),
)
