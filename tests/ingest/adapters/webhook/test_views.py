"""The webhook endpoint and the integrations' admin API over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.devices.models import Device
from qorgau.ingest.adapters.webhook.models import WebhookReceipt
from qorgau.ingest.adapters.webhook.parser import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from tests.conftest import login, make_user
from tests.ingest.adapters.webhook.conftest import URL, add_device, add_integration, event, post_signed

PROBLEM = "application/problem+json"


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["type"].endswith("/" + code) and body["detail"], body
    return body


def _vendor_events(db: Database) -> list[OutboxEvent]:
    with db.reading() as session:
        return list(session.scalars(select(OutboxEvent).where(OutboxEvent.name == "ingest.vendor_event")
                                    .order_by(OutboxEvent.seq)))


def _metric(client: TestClient, line_start: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_an_event_is_accepted_once_and_a_resend_answers_with_the_same_event(client: TestClient,
                                                                             app_db: Database) -> None:
    secret = add_integration(app_db)
    first = post_signed(client, secret, event())
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "accepted"
    event_id = first.json()["event_id"]
    again = post_signed(client, secret, event(type="intrusion"), timestamp=int(time.time()) + 1)
    assert again.status_code == 200 and again.json() == {"status": "duplicate", "event_id": event_id}
    [row] = _vendor_events(app_db)
    assert str(row.id) == event_id and row.subject_type == "integration" and row.subject_id == "acme"
    assert row.payload == {"integration": "acme", "vendor_event_id": "evt-1", "type": "line_crossing",
                           "device_code": None, "occurred_at": "2025-05-01T03:30:00Z",
                           "data": {"zone": "gate", "score": 0.93}}
    assert row.context["actor"] == "system:webhook.acme"
    other = add_integration(app_db, "other-vendor")
    assert post_signed(client, other, event(), name="other-vendor").status_code == 202  # ids are per integration
    assert len(_vendor_events(app_db)) == 2
    assert _metric(client, 'qorgau_webhook_received_total{integration="acme",outcome="accepted"}') == 1
    assert _metric(client, 'qorgau_webhook_received_total{integration="acme",outcome="duplicate"}') == 1
    with app_db.reading() as session:
        assert session.scalar(select(WebhookReceipt.event_id).where(WebhookReceipt.vendor_event_id == "evt-1",
                                                                    WebhookReceipt.integration_id == 1)) \
            is not None


def test_every_refusal_is_a_problem_with_its_own_status_and_code(client: TestClient, app_db: Database) -> None:
    secret = add_integration(app_db, event_types=["face_match", "door_forced"])
    raw = json.dumps(event(type="face_match")).encode()
    now = int(time.time())
    headers = {TIMESTAMP_HEADER: str(now), SIGNATURE_HEADER: sign(secret, now, raw)}

    _problem(client.post(URL.format("nobody"), content=raw, headers=headers), 404, "webhooks.unknown_integration")
    _problem(client.post(URL.format("NOT a name"), content=raw, headers=headers), 404,
             "webhooks.unknown_integration")
    missing = _problem(client.post(URL.format("acme"), content=raw), 401, "webhooks.missing_headers")
    assert missing["status"] == 401
    only_time = client.post(URL.format("acme"), content=raw, headers={TIMESTAMP_HEADER: str(now)})
    assert _problem(only_time, 401, "webhooks.missing_headers") and "WWW-Authenticate" in only_time.headers
    _problem(client.post(URL.format("acme"), content=raw, headers={**headers, TIMESTAMP_HEADER: "soon"}), 401,
             "webhooks.bad_timestamp")
    _problem(client.post(URL.format("acme"), content=raw + b" ", headers=headers), 401, "webhooks.bad_signature")
    _problem(post_signed(client, "wrong-secret", event()), 401, "webhooks.bad_signature")
    stale = _problem(post_signed(client, secret, event(), timestamp=now - 3600), 401, "webhooks.stale_timestamp")
    assert "300" in stale["detail"]
    _problem(post_signed(client, secret, event(), timestamp=now + 3600), 401, "webhooks.stale_timestamp")
    _problem(post_signed(client, secret, b"{not json"), 400, "webhooks.malformed_json")
    invalid = _problem(post_signed(client, secret, event(type="face_match", extra=1, occurred_at="today")), 422,
                       "webhooks.invalid_event")
    assert {e["field"] for e in invalid["errors"]} == {"extra", "occurred_at"}
    assert "unknown field" in [e["message"] for e in invalid["errors"]]
    _problem(post_signed(client, secret, event(type="line_crossing")), 422, "webhooks.type_not_allowed")
    unknown = _problem(post_signed(client, secret, event(type="face_match", device="CAM-404")), 422,
                       "webhooks.unknown_device")
    assert "CAM-404" in unknown["detail"]
    assert _vendor_events(app_db) == []
    with app_db.reading() as session:
        assert session.scalars(select(WebhookReceipt)).all() == []
    assert _metric(client, 'qorgau_webhook_rejected_total{integration="-",reason="unknown_integration"}') == 2
    assert _metric(client, 'qorgau_webhook_rejected_total{integration="acme",reason="bad_signature"}') == 2
    assert _metric(client, 'qorgau_webhook_rejected_total{integration="acme",reason="stale_timestamp"}') == 2
    for reason in ("missing_headers", "bad_timestamp", "malformed_json", "invalid_event", "type_not_allowed",
                   "unknown_device"):
        assert _metric(client, f'qorgau_webhook_rejected_total{{integration="acme",reason="{reason}"}}') >= 1


def test_a_disabled_integration_looks_like_an_unknown_one(admin_client: TestClient, app_db: Database) -> None:
    secret = add_integration(app_db)
    assert admin_client.patch("/api/ingest/integrations/acme", json={"enabled": False}).status_code == 200
    disabled = _problem(post_signed(admin_client, secret, event()), 404, "webhooks.unknown_integration")
    unknown = _problem(post_signed(admin_client, secret, event(), name="nobody"), 404,
                       "webhooks.unknown_integration")
    assert {**disabled, "instance": ""} == {**unknown, "instance": ""}
    assert admin_client.patch("/api/ingest/integrations/acme", json={"enabled": True}).status_code == 200
    assert post_signed(admin_client, secret, event()).status_code == 202


def test_problems_speak_kazakh_russian_and_english(client: TestClient, app_db: Database) -> None:
    add_integration(app_db)
    texts = {}
    for language in ("kk", "ru", "en"):
        body = _problem(post_signed(client, "wrong", event(), headers={"Accept-Language": language}), 401,
                        "webhooks.bad_signature")
        texts[language] = body["detail"]
        assert body["title"].startswith("The signature does not match")
    assert len(set(texts.values())) == 3 and "Подпись" in texts["ru"] and "Қолтаңба" in texts["kk"]


def test_a_known_device_counts_as_heard_from(client: TestClient, app_db: Database) -> None:
    add_device(app_db, "ACC-0001")
    add_device(app_db, "ACC-0002")
    secret = add_integration(app_db, device_map={"door-17": "acc-0002"})
    assert post_signed(client, secret, event("e1", device="acc-0001")).status_code == 202
    assert post_signed(client, secret, event("e2", device="door-17")).status_code == 202
    with app_db.reading() as session:
        devices = {d.code: d for d in session.scalars(select(Device))}
    assert all(d.health == "online" and d.last_seen_at is not None for d in devices.values())
    codes = [row.payload["device_code"] for row in _vendor_events(app_db)]
    assert codes == ["ACC-0001", "ACC-0002"]


def test_integrations_are_managed_by_administrators_and_secrets_shown_once(admin_client: TestClient,
                                                                           app_db: Database) -> None:
    created = admin_client.post("/api/ingest/integrations", json={
        "name": "hikvision-analytics", "description": "Camera analytics", "event_types": ["intrusion", "intrusion"]})
    assert created.status_code == 201, created.text
    body = created.json()
    secret = body.pop("secret")
    assert secret.startswith("qwh_") and len(secret) > 40
    assert body["event_types"] == ["intrusion"] and body["enabled"] and body["last_used_at"] is None
    read = admin_client.get("/api/ingest/integrations/hikvision-analytics")
    assert read.status_code == 200 and "secret" not in read.json() and secret not in read.text
    listed = admin_client.get("/api/ingest/integrations").json()
    assert [i["name"] for i in listed["items"]] == ["hikvision-analytics"] and secret not in json.dumps(listed)
    _problem(admin_client.post("/api/ingest/integrations", json={"name": "hikvision-analytics"}), 409,
             "webhooks.exists")
    _problem(admin_client.post("/api/ingest/integrations", json={"name": "Bad Name"}), 422,
             "request.validation_failed")
    _problem(admin_client.post("/api/ingest/integrations", json={"name": "x", "device_map": {"d": "CAM-9"}}), 422,
             "webhooks.map_unknown_devices")
    _problem(admin_client.get("/api/ingest/integrations/nobody"), 404, "webhooks.not_found")
    sent = post_signed(admin_client, secret, event(type="intrusion"), name="hikvision-analytics")
    assert sent.status_code == 202
    assert admin_client.get("/api/ingest/integrations/hikvision-analytics").json()["last_used_at"] is not None

    rotated = admin_client.post("/api/ingest/integrations/hikvision-analytics/rotate", json={"grace_s": 600})
    assert rotated.status_code == 200 and rotated.json()["previous_secret_until"] is not None
    fresh = rotated.json()["secret"]
    assert fresh != secret
    assert post_signed(admin_client, secret, event("2", type="intrusion"), name="hikvision-analytics"
                       ).status_code == 202  # the old secret, within its grace
    assert post_signed(admin_client, fresh, event("3", type="intrusion"), name="hikvision-analytics"
                       ).status_code == 202
    cut = admin_client.post("/api/ingest/integrations/hikvision-analytics/rotate", json={"grace_s": 0})
    assert cut.json()["previous_secret_until"] is None
    _problem(post_signed(admin_client, fresh, event("4", type="intrusion"), name="hikvision-analytics"), 401,
             "webhooks.bad_signature")
    assert post_signed(admin_client, cut.json()["secret"], event("4", type="intrusion"),
                       name="hikvision-analytics").status_code == 202
    default_grace = admin_client.post("/api/ingest/integrations/hikvision-analytics/rotate")
    assert default_grace.status_code == 200 and default_grace.json()["previous_secret_until"] is not None


def test_the_routes_are_guarded_and_documented(app: Any, client: TestClient) -> None:
    from qorgau.api.guards import route_guards

    guards = route_guards(app)
    assert guards["POST /api/ingest/webhooks/{integration}"] == ["Public"]
    assert guards["POST /api/ingest/integrations/{name}/rotate"] == ["Require(devices:write)"]
    schema = client.get("/api/openapi.json").json()
    receive = schema["paths"]["/api/ingest/webhooks/{integration}"]["post"]
    assert set(receive["responses"]) >= {"200", "202", "400", "401", "404", "422"}
    assert "event_id" in receive["requestBody"]["content"]["application/json"]["schema"]["properties"]


def test_management_needs_devices_write(client: TestClient, app_db: Database) -> None:
    _problem(client.get("/api/ingest/integrations"), 401, "auth.not_authenticated")
    make_user(app_db, "operator1", "operator")
    login(client, "operator1")
    denied = _problem(client.post("/api/ingest/integrations", json={"name": "x"}), 403, "auth.forbidden")
    assert denied["permission"] == "devices:write"
    _problem(client.get("/api/ingest/integrations"), 403, "auth.forbidden")


printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(
    name=st.sampled_from(["acme", "nobody"]) | st.text(max_size=20),
    body=st.binary(max_size=300) | st.builds(lambda d: json.dumps(d).encode(), st.dictionaries(
        st.sampled_from(["event_id", "type", "occurred_at", "device", "data", "extra"]),
        st.none() | st.integers() | st.text(max_size=30) | st.dictionaries(st.text(max_size=5), st.integers()))),
    timestamp=st.none() | printable | st.integers(0, 2 * 10**9).map(str),
    signature=st.none() | printable,
    sign_it=st.booleans(),
)
def test_no_input_makes_the_endpoint_fail(client: TestClient, app_db: Database, name: str, body: bytes,
                                          timestamp: str | None, signature: str | None, sign_it: bool) -> None:
    secret = _secret_for(app_db)
    headers = {}
    if sign_it:
        now = str(int(time.time()))
        headers = {TIMESTAMP_HEADER: now, SIGNATURE_HEADER: sign(secret, now, body)}
    else:
        if timestamp is not None:
            headers[TIMESTAMP_HEADER] = timestamp
        if signature is not None:
            headers[SIGNATURE_HEADER] = signature
    response = client.post(URL.format(quote(name, safe="")), content=body, headers=headers)
    assert response.status_code < 500, response.text
    assert response.status_code in (200, 202, 400, 401, 404, 405, 422), response.text


def _secret_for(db: Database) -> str:
    """The secret of `acme`, created once per database (hypothesis reuses the fixtures across examples)."""
    key = db.url
    if key not in _SECRETS:
        _SECRETS[key] = add_integration(db)
    return _SECRETS[key]


_SECRETS: dict[str, str] = {}
