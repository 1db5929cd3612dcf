"""What the webhook adapter speaks, for the adapter registry and the docs."""

from __future__ import annotations

from qorgau.ingest.adapters.sia_dc09.manifest import Manifest

MANIFEST = Manifest(
    name="webhook",
    protocol="Signed HTTP webhooks (HMAC-SHA256), docs/webhooks.md",
    transports=("https", "http"),
    payloads=("JSON vendor event (event_id, type, occurred_at, device, data)",),
    supports=(
        "a secret per integration, encrypted at rest, shown once",
        "HMAC-SHA256 over <timestamp>.<raw body>, compared in constant time",
        "timestamp tolerance (setting webhook_tolerance_s)",
        "idempotency by event_id",
        "allowed event types and vendor device id mapping per integration",
        "secret rotation with a grace period",
        "RFC 9457 problem responses in kk, ru, en",
    ),
)
