"""Broker addresses: `mqtt://host[:port]` and `mqtts://host[:port]`, nothing more."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}


def broker_address(url: str) -> tuple[str, int, bool]:
    """(host, port, tls) of mqtt://host[:port] or mqtts://host[:port]; ValueError for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError("mqtt_url is not a valid URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError("mqtt_url must be mqtt://host[:port] or mqtts://host[:port]")
    if parts.username is not None or parts.password is not None:
        # A password in the URL would end up in logs and process listings: it belongs in mqtt_password.
        raise ValueError("put the MQTT credentials in mqtt_username/mqtt_password, not in mqtt_url")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("mqtt_url takes no path, query or fragment")
    return parts.hostname, port or DEFAULT_PORTS[scheme], scheme == "mqtts"
