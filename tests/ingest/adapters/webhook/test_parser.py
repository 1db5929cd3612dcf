"""Signature verification and body parsing, without a database: examples and properties."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qorgau.ingest.adapters.webhook.config import VOCABULARY
from qorgau.ingest.adapters.webhook.parser import Reason, WebhookRejected, parse_event, sign, verify
from tests.ingest.adapters.webhook.conftest import event

SECRET = "qwh_test-secret"
NOW = 1_750_000_000
BODY = b'{"event_id":"1"}'


def _verify(timestamp: str | None = str(NOW), signature: str | None = None, body: bytes = BODY,
            keys: tuple[str, ...] = (SECRET,), now: float = NOW) -> int:
    if signature is None:
        signature = sign(SECRET, timestamp or "0", body)
    return verify(keys, timestamp=timestamp, signature=signature, body=body, now=now, tolerance_s=300)


def _reason(call: Any) -> Reason:
    with pytest.raises(WebhookRejected) as caught:
        call()
    return caught.value.reason


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    # Computed independently: printf '1750000000.{"event_id":"1"}' | openssl dgst -sha256 -hmac qwh_test-secret
    expected = "sha256=" + __import__("hmac").new(b"qwh_test-secret", b'1750000000.{"event_id":"1"}',
                                                  "sha256").hexdigest()
    assert sign(SECRET, NOW, BODY) == expected
    assert _verify() == NOW
    assert _verify(signature=sign(SECRET, NOW, BODY).upper().replace("SHA256=", "sha256=")) == NOW


def test_each_wrong_header_has_its_reason() -> None:
    assert _reason(lambda: _verify(timestamp=None)) == Reason.MISSING_HEADERS
    assert _reason(lambda: verify([SECRET], timestamp=str(NOW), signature=None, body=BODY, now=NOW,
                                  tolerance_s=300)) == Reason.MISSING_HEADERS
    for bad in ("", "-5", "1.5", "1e9", " 17", "１２３", "1" * 13):
        assert _reason(lambda bad=bad: _verify(timestamp=bad, signature="sha256=" + "0" * 64)) == Reason.BAD_TIMESTAMP
    for bad in ("", "sha256=", "sha1=" + "0" * 40, "sha256=" + "g" * 64, "sha256=" + "0" * 64, "sha256=é"):
        assert _reason(lambda bad=bad: _verify(signature=bad)) == Reason.BAD_SIGNATURE
    assert _reason(lambda: _verify(signature=sign("other", NOW, BODY))) == Reason.BAD_SIGNATURE
    assert _reason(lambda: _verify(signature=sign(SECRET, NOW, BODY), body=BODY + b" ")) == Reason.BAD_SIGNATURE
    assert _reason(lambda: _verify(signature=sign(SECRET, NOW + 1, BODY))) == Reason.BAD_SIGNATURE
    assert _reason(lambda: _verify(keys=())) == Reason.BAD_SIGNATURE


def test_the_timestamp_must_lie_within_the_tolerance_either_way() -> None:
    assert _verify(now=NOW + 300) == NOW and _verify(now=NOW - 300) == NOW
    with pytest.raises(WebhookRejected) as late:
        _verify(now=NOW + 301)
    assert late.value.reason == Reason.STALE_TIMESTAMP and late.value.status == 401
    assert late.value.code == "webhooks.stale_timestamp" and late.value.params == {"tolerance": 300}
    assert _reason(lambda: _verify(now=NOW - 301)) == Reason.STALE_TIMESTAMP  # from the future


def test_any_of_several_secrets_verifies() -> None:
    assert _verify(keys=("new-secret", SECRET)) == NOW
    assert _verify(keys=(SECRET, "new-secret")) == NOW


def _raw(document: Any) -> bytes:
    return json.dumps(document).encode()


def test_a_valid_event_parses_to_utc() -> None:
    parsed = parse_event(_raw(event(device="cam-7")), allowed_types=VOCABULARY)
    assert parsed.event_id == "evt-1" and parsed.type == "line_crossing" and parsed.device == "cam-7"
    assert parsed.occurred_at == datetime(2025, 5, 1, 3, 30, tzinfo=UTC)
    assert parsed.data == {"zone": "gate", "score": 0.93}
    minimal = {"event_id": "x", "type": "tamper", "occurred_at": "2025-05-01T03:30:00Z"}
    assert parse_event(_raw(minimal), allowed_types=VOCABULARY).data == {}


@pytest.mark.parametrize("body", [
    b"", b"{", b"not json", b'{"a":1}x', b"\xff\xfe{}", b"\xef\xbb\xbf{}", b'{"event_id":"1","event_id":"2"}',
    b'{"a": NaN}', b'{"a": Infinity}', b"[" * 200_000, b'{"a":' + b"1" * 5000 + b"}",
])
def test_malformed_json_is_400(body: bytes) -> None:
    with pytest.raises(WebhookRejected) as caught:
        parse_event(body, allowed_types=VOCABULARY)
    assert caught.value.reason == Reason.MALFORMED_JSON and caught.value.status == 400


@pytest.mark.parametrize(("document", "field"), [
    ([], "body"), ("text", "body"), (None, "body"),
    (event(extra=1), "extra"),
    ({k: v for k, v in event().items() if k != "event_id"}, "event_id"),
    (event(event_id=""), "event_id"), (event(event_id="x" * 129), "event_id"), (event(event_id="a b"), "event_id"),
    (event(event_id=17), "event_id"),
    (event(type="Line Crossing"), "type"), (event(type=""), "type"),
    (event(occurred_at="2025-05-01T08:30:00"), "occurred_at"), (event(occurred_at=1_750_000_000), "occurred_at"),
    (event(occurred_at="yesterday"), "occurred_at"), (event(occurred_at="1999-12-31T23:59:59Z"), "occurred_at"),
    (event(occurred_at="0001-01-01T00:00:00+05:00"), "occurred_at"),
    (event(device=""), "device"), (event(device="x" * 65), "device"), (event(device=5), "device"),
    (event(data=[]), "data"), (event(data={str(i): i for i in range(65)}), "data"),
    (event(data={"a": [[[[[[[[1]]]]]]]]}), "data"), (event(data={"a": "x" * 20_000}), "data"),
    (event(data={"a": 2**53}), "data"), (event(data={"a": "nul\x00"}), "data"), (event(data={"a": "\ud800"}), "data"),
    (event(data={"": 1}), "data"), (event(data={"k" * 65: 1}), "data"), (event(data={"a": 1e308 * 10}), "data"),
])
def test_schema_violations_are_422_with_the_field(document: Any, field: str) -> None:
    raw = json.dumps(document, allow_nan=True).encode()
    with pytest.raises(WebhookRejected) as caught:
        parse_event(raw, allowed_types=VOCABULARY)
    if caught.value.reason == Reason.MALFORMED_JSON:  # infinity is written as a non-JSON constant
        assert field == "data"
        return
    assert caught.value.reason == Reason.INVALID_EVENT and caught.value.status == 422
    assert field in [error["field"].split(".")[0] for error in caught.value.errors], caught.value.errors
    assert field in caught.value.params["fields"]


def test_data_within_the_bounds_is_kept() -> None:
    data = {str(i): {"nested": [1, 2.5, True, None, "текст"]} for i in range(64)}
    assert parse_event(_raw(event(data=data)), allowed_types=VOCABULARY).data == data
    deep: Any = 1
    for _ in range(7):
        deep = [deep]
    assert parse_event(_raw(event(data={"a": deep})), allowed_types=VOCABULARY).data == {"a": deep}


def test_types_outside_the_allowed_set_are_refused() -> None:
    with pytest.raises(WebhookRejected) as caught:
        parse_event(_raw(event(type="plate_match")), allowed_types=["face_match"])
    assert caught.value.reason == Reason.TYPE_NOT_ALLOWED and caught.value.params == {"type": "plate_match"}
    assert parse_event(_raw(event(type="custom.kind")), allowed_types=["custom.kind"]).type == "custom.kind"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


def _refusal(body: bytes) -> int | None:
    """The status a body is refused with, or None when it parses; any other exception fails the test."""
    try:
        parse_event(body, allowed_types=VOCABULARY)
    except WebhookRejected as exc:
        return exc.status
    return None


@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_parsed_or_refused(body: bytes) -> None:
    assert _refusal(body) in (None, 400, 422)


@given(st.dictionaries(st.sampled_from(["event_id", "type", "occurred_at", "device", "data", "x"]), json_values))
def test_arbitrary_documents_are_parsed_or_refused(document: dict[str, Any]) -> None:
    assert _refusal(json.dumps(document).encode()) in (None, 400, 422)


@given(secret=st.text(min_size=1, max_size=60), timestamp=st.integers(0, 10**12 - 1), body=st.binary(max_size=500))
def test_whatever_is_signed_verifies(secret: str, timestamp: int, body: bytes) -> None:
    signature = sign(secret, timestamp, body)
    assert verify([secret], timestamp=str(timestamp), signature=signature, body=body, now=timestamp,
                  tolerance_s=1) == timestamp


@given(timestamp=st.none() | st.text(max_size=20), signature=st.none() | st.text(max_size=80),
       body=st.binary(max_size=100))
def test_arbitrary_headers_are_refused_cleanly(timestamp: str | None, signature: str | None, body: bytes) -> None:
    with pytest.raises(WebhookRejected) as caught:
        verify([SECRET], timestamp=timestamp, signature=signature, body=body, now=NOW, tolerance_s=300)
    assert caught.value.status == 401


def test_the_worked_example_in_the_docs_is_right() -> None:
    text = (Path(__file__).resolve().parents[4] / "docs" / "webhooks.md").read_text(encoding="utf-8")
    body = re.search(r"```json\n(.*?)\n```", text, re.S).group(1).encode()  # type: ignore[union-attr]
    signature = re.search(r"sha256=[0-9a-f]{64}", text).group(0)  # type: ignore[union-attr]
    assert sign("qwh_example-secret-do-not-use", 1746070200, body) == signature
    assert parse_event(body, allowed_types=VOCABULARY).device == "cam-17"
