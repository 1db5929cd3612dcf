"""What an operator needs to see about webhooks: counters in /metrics (by integration and reason) and a summary.

Labels carry integration names (chosen by admins) and fixed reasons, never anything a sender wrote: a request
for an unknown integration is counted under ``-``, so strangers cannot grow the label set.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qorgau.ingest.adapters.webhook.models import WebhookIntegration, WebhookReceipt
from qorgau.ingest.adapters.webhook.parser import Reason

UNKNOWN = "-"


class WebhookCounters:
    """The webhook counters of one Prometheus registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.received = Counter(
            "qorgau_webhook_received", "Webhooks accepted, by integration and outcome (accepted, duplicate).",
            ["integration", "outcome"], registry=registry,
        )
        self.rejected = Counter(
            "qorgau_webhook_rejected", "Webhooks refused, by integration and reason.", ["integration", "reason"],
            registry=registry,
        )

    def accept(self, integration: str, *, duplicate: bool) -> None:
        self.received.labels(integration, "duplicate" if duplicate else "accepted").inc()

    def reject(self, integration: str | None, reason: Reason) -> None:
        self.rejected.labels(integration or UNKNOWN, reason.value).inc()


_counters: weakref.WeakKeyDictionary[CollectorRegistry, WebhookCounters] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def counters(registry: CollectorRegistry) -> WebhookCounters:
    """The counters registered in ``registry``, created on first use (a registry refuses a name twice)."""
    with _lock:
        found = _counters.get(registry)
        if found is None:
            found = _counters[registry] = WebhookCounters(registry)
        return found


@dataclass(frozen=True, slots=True)
class IntegrationSummary:
    name: str
    enabled: bool
    last_used_at: datetime | None
    receipts_24h: int


def summary(session: Session, *, now: datetime) -> list[IntegrationSummary]:
    """Every integration with its state, last use and events recorded in the last 24 hours."""
    since = now - timedelta(hours=24)
    recent = {integration_id: count for integration_id, count in session.execute(
        select(WebhookReceipt.integration_id, func.count()).where(WebhookReceipt.received_at >= since)
        .group_by(WebhookReceipt.integration_id)
    )}
    rows = session.scalars(select(WebhookIntegration).order_by(WebhookIntegration.name))
    return [IntegrationSummary(name=row.name, enabled=row.enabled, last_used_at=row.last_used_at,
                               receipts_24h=int(recent.get(row.id, 0))) for row in rows]
