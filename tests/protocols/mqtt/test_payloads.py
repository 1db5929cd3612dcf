"""The payload builders write exactly what the schemas accept, and refuse what Qorgau would refuse."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from qorgau.protocols.actions import AccessAction, SosAction
from qorgau.protocols.mqtt.payloads import (
    ACCESS_ACTIONS,
    SOS_ACTIONS,
    access_payload,
    gps_payload,
    heartbeat_payload,
    sos_payload,
)
from qorgau.protocols.mqtt.schemas import AccessMessage, GpsMessage, HeartbeatMessage, SosMessage

SCHEMAS = Path(__file__).resolve().parents[3] / "docs" / "mqtt" / "schemas"
ALMATY = timezone(timedelta(hours=5))
T0 = datetime(2025, 3, 1, 8, 15, 30, 250000, tzinfo=ALMATY)


def _schema(kind: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{kind}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _accepted(model: type[BaseModel], kind: str, payload: dict[str, object]) -> None:
    model.model_validate_json(json.dumps(payload))  # what Qorgau's parser does with the bytes
    schema = _schema(kind)
    assert set(payload) <= set(schema["properties"])
    assert set(schema.get("required", [])) <= set(payload)


def test_builders_write_what_the_schemas_accept() -> None:
    assert set(ACCESS_ACTIONS) == {a.value for a in AccessAction}
    assert set(SOS_ACTIONS) == {a.value for a in SosAction}
    full_access = access_payload("denied", reason="unknown_card", direction="in", card="0004221337", ts=T0,
                                 event_id="b12-000481")
    assert full_access == {"action": "denied", "reason": "unknown_card", "direction": "in", "card": "0004221337",
                           "ts": "2025-03-01T08:15:30.250+05:00", "event_id": "b12-000481"}
    for payload in (full_access, access_payload("forced", ts=None, event_id=None)):
        _accepted(AccessMessage, "access", payload)
    for payload in (sos_payload("self_test", result="fail", detail="speaker", ts=T0, event_id="7f3e-0001"),
                    sos_payload("call_started", call_id="c-5521", ts=datetime(2025, 3, 1, tzinfo=UTC),
                                event_id=None),
                    *(sos_payload(a, ts=T0, event_id=f"e.{a}") for a in SOS_ACTIONS if a != "self_test")):
        _accepted(SosMessage, "sos", payload)
    assert heartbeat_payload() == {}
    for payload in (heartbeat_payload(), heartbeat_payload("degraded", "battery 9 %", ts=T0)):
        _accepted(HeartbeatMessage, "heartbeat", payload)
    fix = gps_payload(53.0115, 51.1739, ts=T0, speed_kmh=42, heading_deg=359.5, accuracy_m=4, event_id="f:1")
    assert fix["lon"] == 53.0115 and fix["lat"] == 51.1739 and fix["speed_kmh"] == 42.0
    _accepted(GpsMessage, "gps", fix)
    _accepted(GpsMessage, "gps", gps_payload(-180, 90, ts=None))


@pytest.mark.parametrize("build", [
    lambda: access_payload("granted", ts=datetime(2025, 3, 1), event_id=None),
    lambda: access_payload("granted", reason="expired", ts=None, event_id=None),
    lambda: access_payload("opened", ts=None, event_id=None),  # type: ignore[arg-type]
    lambda: access_payload("granted", card="", ts=None, event_id=None),
    lambda: access_payload("granted", ts=None, event_id="has space"),
    lambda: access_payload("granted", ts=None, event_id="x" * 65),
    lambda: sos_payload("self_test", ts=None, event_id=None),
    lambda: sos_payload("tamper", result="pass", ts=None, event_id=None),
    lambda: sos_payload("tamper", detail="d" * 201, ts=None, event_id=None),
    lambda: heartbeat_payload("offline"),  # type: ignore[arg-type]
    lambda: gps_payload(181, 0, ts=None),
    lambda: gps_payload(0, float("nan"), ts=None),
    lambda: gps_payload(0, 0, ts=None, heading_deg=360),
    lambda: gps_payload(0, 0, ts=None, speed_kmh=-1),
    lambda: gps_payload(True, 0, ts=None),
])
def test_builders_refuse_what_qorgau_would_refuse(build: Any) -> None:
    with pytest.raises(ValueError):
        build()
