"""Verifying a signed webhook and parsing its body (pure: no I/O, no clock of its own).

The signature is HMAC-SHA256, keyed with the integration's secret, over ``<timestamp>.<raw body>``; the
timestamp is Unix seconds and must lie within the tolerance of the server's clock (docs/webhooks.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from qorgau.ingest.adapters.webhook.schemas import VendorEventIn

TIMESTAMP_HEADER = "X-Qorgau-Timestamp"
SIGNATURE_HEADER = "X-Qorgau-Signature"
SIGNATURE_SCHEME = "sha256"
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^sha256=([0-9a-fA-F]{64})$")


class Reason(StrEnum):
    """Why a webhook was refused: the metric label and, through REFUSALS, the status and problem code."""

    UNKNOWN_INTEGRATION = "unknown_integration"
    MISSING_HEADERS = "missing_headers"
    BAD_TIMESTAMP = "bad_timestamp"
    BAD_SIGNATURE = "bad_signature"
    STALE_TIMESTAMP = "stale_timestamp"
    MALFORMED_JSON = "malformed_json"
    INVALID_EVENT = "invalid_event"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    UNKNOWN_DEVICE = "unknown_device"


REFUSALS: dict[Reason, int] = {
    Reason.UNKNOWN_INTEGRATION: 404,
    Reason.MISSING_HEADERS: 401,
    Reason.BAD_TIMESTAMP: 401,
    Reason.BAD_SIGNATURE: 401,
    Reason.STALE_TIMESTAMP: 401,
    Reason.MALFORMED_JSON: 400,
    Reason.INVALID_EVENT: 422,
    Reason.TYPE_NOT_ALLOWED: 422,
    Reason.UNKNOWN_DEVICE: 422,
}


class WebhookRejected(ValueError):
    """A webhook that cannot be accepted; ``reason`` is counted, ``code`` is its translation key."""

    def __init__(self, reason: Reason, *, params: dict[str, Any] | None = None,
                 errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.status = REFUSALS[reason]
        self.code = f"webhooks.{reason.value}"
        self.params = params or {}
        self.errors = errors or []
        self.integration: str | None = None  # set once the integration is known (a metric label, never input)


def signed_message(timestamp: str, body: bytes) -> bytes:
    return timestamp.encode("ascii") + b"." + body


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Qorgau-Signature`` value a sender puts on ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), signed_message(str(timestamp), body), hashlib.sha256).hexdigest()
    return f"{SIGNATURE_SCHEME}={digest}"


def parse_timestamp(value: str | None) -> int:
    if value is None:
        raise WebhookRejected(Reason.MISSING_HEADERS)
    if not _TIMESTAMP.match(value):
        raise WebhookRejected(Reason.BAD_TIMESTAMP)
    return int(value)


def verify(secrets: Iterable[str], *, timestamp: str | None, signature: str | None, body: bytes,
           now: float, tolerance_s: int) -> int:
    """Check the headers against any of ``secrets``; returns the timestamp. Raises WebhookRejected."""
    if timestamp is None or signature is None:
        raise WebhookRejected(Reason.MISSING_HEADERS)
    sent_at = parse_timestamp(timestamp)
    found = _SIGNATURE.match(signature)
    if found is None:
        raise WebhookRejected(Reason.BAD_SIGNATURE)
    given = found.group(1).lower().encode("ascii")
    message = signed_message(timestamp, body)
    matched = False
    for secret in secrets:  # every secret is tried, so the time taken does not tell which one matched
        expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest().encode("ascii")
        matched = hmac.compare_digest(expected, given) | matched
    if not matched:
        raise WebhookRejected(Reason.BAD_SIGNATURE)
    # Checked after the signature, so only a genuine sender learns that its clock is off.
    if abs(now - sent_at) > tolerance_s:
        raise WebhookRejected(Reason.STALE_TIMESTAMP, params={"tolerance": tolerance_s})
    return sent_at


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("an object repeats a key")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def parse_event(body: bytes, *, allowed_types: Iterable[str]) -> VendorEventIn:
    """The body as a validated event whose type the integration accepts. Raises WebhookRejected."""
    try:
        document = json.loads(body.decode("utf-8"), object_pairs_hook=_no_duplicate_keys,
                              parse_constant=_no_constants)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, huge integers, deep nesting
        raise WebhookRejected(Reason.MALFORMED_JSON) from None
    if not isinstance(document, dict):
        raise WebhookRejected(Reason.INVALID_EVENT, params={"fields": "body"},
                              errors=[{"field": "body", "message": "must be a JSON object"}])
    try:
        event = VendorEventIn.model_validate(document)
    except ValidationError as exc:
        errors = [{"field": _field(err["loc"]),
                   "message": "unknown field" if err["type"] == "extra_forbidden" else err["msg"]}
                  for err in exc.errors(include_url=False, include_input=False)]
        fields = ", ".join(sorted({e["field"] for e in errors}))
        raise WebhookRejected(Reason.INVALID_EVENT, params={"fields": fields}, errors=errors) from None
    if event.type not in set(allowed_types):
        raise WebhookRejected(Reason.TYPE_NOT_ALLOWED, params={"type": event.type},
                              errors=[{"field": "type", "message": "type not accepted by this integration"}])
    return event
