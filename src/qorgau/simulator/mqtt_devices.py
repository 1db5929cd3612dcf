"""Turnstiles, SOS terminals, heartbeats and patrol cars' trackers over one MQTT gateway connection."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from qorgau.protocols.mqtt.payloads import access_payload, gps_payload, heartbeat_payload, sos_payload
from qorgau.simulator.mqtt_link import MqttLink, MqttLinkError
from qorgau.simulator.stats import Stats


class MqttDevices:
    """Publishes as each simulated device would; every message carries an event id unique to this run."""

    def __init__(self, url: str, *, prefix: str, stats: Stats, client_id: str) -> None:
        self.link = MqttLink(url, prefix=prefix, client_id=client_id)
        self.stats = stats
        self._run = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self._numbers = itertools.count(1)

    async def start(self) -> None:
        await self.link.start()

    async def stop(self) -> None:
        await self.link.stop()

    def _event_id(self) -> str:
        return f"sim-{self._run}-{next(self._numbers)}"

    async def _publish(self, device_id: str, kind: Any, payload: dict[str, object]) -> None:
        try:
            latency = await self.link.publish(device_id, kind, payload)
        except (MqttLinkError, TimeoutError) as exc:
            self.stats["mqtt"].fail(str(exc) or exc.__class__.__name__)
        else:
            self.stats["mqtt"].ok(latency)

    async def access(self, device_id: str, params: dict[str, Any]) -> None:
        payload = access_payload(params["action"], reason=params.get("reason"), direction=params.get("direction"),
                                 card=params.get("card"), ts=datetime.now(UTC), event_id=self._event_id())
        await self._publish(device_id, "access", payload)

    async def self_test(self, device_id: str, result: str) -> None:
        payload = sos_payload("self_test", result="pass" if result == "pass" else "fail",
                              detail=None if result == "pass" else "speaker", ts=datetime.now(UTC),
                              event_id=self._event_id())
        await self._publish(device_id, "sos", payload)

    async def heartbeat(self, device_id: str) -> None:
        await self._publish(device_id, "heartbeat", heartbeat_payload())

    async def gps(self, tracker: str, lon: float, lat: float, speed_kmh: float, heading_deg: float) -> None:
        payload = gps_payload(lon, lat, ts=datetime.now(UTC), speed_kmh=round(speed_kmh, 1),
                              heading_deg=round(heading_deg, 1) % 360 if speed_kmh > 0 else None, accuracy_m=5)
        await self._publish(tracker, "gps", payload)
