"""Broker addresses: scheme, host and port only."""

from __future__ import annotations

import pytest

from qorgau.protocols.mqtt.broker import broker_address


@pytest.mark.parametrize(("url", "expected"), [
    ("mqtt://broker", ("broker", 1883, False)),
    ("mqtts://broker.example:8884", ("broker.example", 8884, True)),
    ("mqtt://10.0.0.5:1884/", ("10.0.0.5", 1884, False)),
])
def test_broker_urls(url: str, expected: tuple[str, int, bool]) -> None:
    assert broker_address(url) == expected


@pytest.mark.parametrize("url", ["http://broker", "mqtt://user:secret@broker", "mqtt://broker/topic", "mqtt://",
                                 "mqtt://broker:99999"])
def test_bad_broker_urls(url: str) -> None:
    with pytest.raises(ValueError, match="mqtt_url"):
        broker_address(url)
