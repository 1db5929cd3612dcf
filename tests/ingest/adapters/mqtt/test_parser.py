"""The MQTT parser on its own: every topic kind, every refusal, and arbitrary input never raising."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.core.bus import Context
from qorgau.core.errors import ConfigError
from qorgau.ingest.adapters.mqtt.config import parse_url
from qorgau.ingest.adapters.mqtt.parser import Accepted, Parser, Rejected, credential_reference
from qorgau.ingest.directory import DeviceRef
from qorgau.ingest.hub import IngestHub

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DEVICES = {
    "acc-01": DeviceRef(id=1, code="ACC-01", kind="access_point", site_code="OBJ-01", lon=53.0, lat=51.1,
                        lifecycle="commissioned", supervision_interval_s=300),
    "sos-01": DeviceRef(id=2, code="SOS-01", kind="sos_terminal", site_code=None, lon=53.01, lat=51.17,
                        lifecycle="commissioned", supervision_interval_s=300),
}
PARSER = Parser(prefix="qorgau/v1", find=DEVICES.get, credential_key=b"k" * 32, context=IngestHub.context,
                max_payload_bytes=1024, clock=lambda: NOW)


def parse(topic: str, payload: bytes | str, **kw: bool) -> Accepted | Rejected:
    return PARSER.parse(topic, payload.encode() if isinstance(payload, str) else payload, **kw)


@pytest.mark.parametrize(("topic", "payload", "reason"), [
    ("other/v1/acc-01/access", '{"action":"granted"}', "bad_topic"),
    ("qorgau/v1/acc-01/access/extra", '{"action":"granted"}', "bad_topic"),
    ("qorgau/v1/acc-01/video", "{}", "bad_topic"),
    ("qorgau/v1//heartbeat", "{}", "bad_topic"),
    ("qorgau/v1/bad id!/gps", '{"lat":1,"lon":1}', "bad_topic"),
    ("qorgau/v1/nobody/access", '{"action":"granted"}', "unknown_device"),
    ("qorgau/v1/acc-01/sos", '{"action":"tamper"}', "kind_not_allowed"),
    ("qorgau/v1/sos-01/access", '{"action":"granted"}', "kind_not_allowed"),
    ("qorgau/v1/acc-01/access", '{"action":', "bad_json"),
    ("qorgau/v1/acc-01/access", b"\xff\xfe", "bad_json"),
    ("qorgau/v1/acc-01/access", "[1, 2]", "schema"),
    ("qorgau/v1/acc-01/access", '{"action":"opened"}', "schema"),
    ("qorgau/v1/acc-01/access", '{"action":"granted","reason":"x"}', "schema"),
    ("qorgau/v1/acc-01/access", '{"action":"granted","ts":"2025-03-01T08:00:00"}', "schema"),
    ("qorgau/v1/acc-01/access", '{"action":"granted","extra":1}', "schema"),
    ("qorgau/v1/sos-01/sos", '{"action":"self_test"}', "schema"),
    ("qorgau/v1/sos-01/heartbeat", '{"status":"offline"}', "schema"),
    ("qorgau/v1/trk-1/gps", '{"lat":"53.0","lon":51}', "schema"),
    ("qorgau/v1/trk-1/gps", '{"lat":95,"lon":51}', "schema"),
    ("qorgau/v1/acc-01/access", '{"action":"granted","reason":"' + "x" * 2000 + '"}', "oversize"),
])
def test_refusals(topic: str, payload: str | bytes, reason: str) -> None:
    result = parse(topic, payload)
    assert isinstance(result, Rejected)
    assert result.reason == reason


def test_schema_errors_never_quote_the_payload() -> None:
    result = parse("qorgau/v1/acc-01/access", '{"action":"granted","card":12345678}')
    assert isinstance(result, Rejected)
    assert result.detail == "invalid: card"


def test_retained_messages_are_refused() -> None:
    result = parse("qorgau/v1/acc-01/access", '{"action":"granted"}', retain=True)
    assert isinstance(result, Rejected)
    assert result.reason == "retained"


def test_access_event_keeps_only_a_card_pseudonym() -> None:
    result = parse("qorgau/v1/acc-01/access",
                   '{"action":"denied","reason":"expired","card":"123456","ts":"2025-03-01T16:59:00+05:00"}')
    assert isinstance(result, Accepted)
    (event,) = result.events
    assert event.payload.credential_ref == credential_reference(b"k" * 32, "123456")
    assert "123456" not in event.payload.model_dump_json()
    assert event.occurred_at == datetime(2025, 3, 1, 11, 59, tzinfo=UTC)
    assert event.payload.site_code == "OBJ-01"
    assert [beat.device.code for beat in result.heartbeats] == ["ACC-01"]
    assert not result.deduplicated


def test_a_device_clock_far_ahead_is_not_the_event_time() -> None:
    result = parse("qorgau/v1/sos-01/sos", '{"action":"button_pressed","ts":"2025-03-02T12:00:00Z"}')
    assert isinstance(result, Accepted)
    assert result.events[0].occurred_at == NOW
    assert result.events[0].payload.device_time == datetime(2025, 3, 2, 12, 0, tzinfo=UTC)


def test_event_ids_make_redeliveries_the_same_event() -> None:
    body = '{"action":"call_started","call_id":"c1","event_id":"b7-0001"}'
    first, second = parse("qorgau/v1/sos-01/sos", body), parse("qorgau/v1/sos-01/sos", body)
    assert isinstance(first, Accepted)
    assert isinstance(second, Accepted)
    assert first.deduplicated
    assert first.events[0].id == second.events[0].id
    gps_a = parse("qorgau/v1/trk-1/gps", '{"lat":51.1,"lon":53.0,"ts":"2025-03-01T11:00:00Z"}')
    gps_b = parse("qorgau/v1/trk-1/gps", '{"lat":51.1,"lon":53.0,"ts":"2025-03-01T16:00:00+05:00"}')
    assert isinstance(gps_a, Accepted)
    assert isinstance(gps_b, Accepted)
    assert gps_a.events[0].id == gps_b.events[0].id  # the same instant, however written
    assert gps_a.heartbeats == ()


def test_empty_heartbeat_means_online() -> None:
    result = parse("qorgau/v1/acc-01/heartbeat", b"")
    assert isinstance(result, Accepted)
    assert result.events == ()
    assert [str(beat.status) for beat in result.heartbeats] == ["online"]
    degraded = parse("qorgau/v1/sos-01/heartbeat", '{"status":"degraded","detail":"battery 9 %"}')
    assert isinstance(degraded, Accepted)
    assert (str(degraded.heartbeats[0].status), degraded.heartbeats[0].detail) == ("degraded", "battery 9 %")


@settings(max_examples=300, deadline=None)
@given(payload=st.binary(max_size=2048), kind=st.sampled_from(["access", "sos", "heartbeat", "gps", "x"]),
       device=st.sampled_from(["acc-01", "sos-01", "trk-1", "nobody"]))
def test_arbitrary_bytes_never_raise(payload: bytes, kind: str, device: str) -> None:
    assert isinstance(parse(f"qorgau/v1/{device}/{kind}", payload), Accepted | Rejected)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                           lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(st.text(max_size=8), children, max_size=4), max_leaves=20)
fields = st.fixed_dictionaries({}, optional={
    "action": st.sampled_from(["granted", "denied", "forced", "held_open", "button_pressed", "self_test", "x"]),
    "reason": st.text(max_size=5), "card": st.text(max_size=70), "ts": st.text(max_size=30),
    "result": st.sampled_from(["pass", "fail", "x"]), "lat": json_values, "lon": json_values, "status": json_values,
    "event_id": st.text(max_size=70), "direction": json_values,
})


@settings(max_examples=300, deadline=None)
@given(body=fields, kind=st.sampled_from(["access", "sos", "heartbeat", "gps"]),
       device=st.sampled_from(["acc-01", "sos-01", "trk-1"]))
def test_json_shaped_input_never_raises(body: dict[str, object], kind: str, device: str) -> None:
    import json

    assert isinstance(parse(f"qorgau/v1/{device}/{kind}", json.dumps(body)), Accepted | Rejected)


@given(topic=st.text(max_size=60))
def test_arbitrary_topics_never_raise(topic: str) -> None:
    assert isinstance(parse(topic, b"{}"), Accepted | Rejected)


def test_context_names_the_device() -> None:
    result = parse("qorgau/v1/acc-01/access", '{"action":"forced"}')
    assert isinstance(result, Accepted)
    assert result.events[0].context == Context(actor="device:ACC-01", correlation_id=result.events[0].context
                                               .correlation_id)


@pytest.mark.parametrize(("url", "expected"), [
    ("mqtt://broker", ("broker", 1883, False)),
    ("mqtts://broker.example:8884", ("broker.example", 8884, True)),
    ("mqtt://10.0.0.5:1884/", ("10.0.0.5", 1884, False)),
])
def test_broker_urls(url: str, expected: tuple[str, int, bool]) -> None:
    assert parse_url(url) == expected


@pytest.mark.parametrize("url", ["http://broker", "mqtt://user:secret@broker", "mqtt://broker/topic", "mqtt://",
                                 "mqtt://broker:99999"])
def test_bad_broker_urls(url: str) -> None:
    with pytest.raises(ConfigError):
        parse_url(url)

