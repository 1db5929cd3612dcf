"""The webhook service on SQLite and PostgreSQL: idempotency under a race, audit, rotation, pruning, schema."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.core.migrate import downgrade, pending_diff, upgrade
from qorgau.core.time import utcnow
from qorgau.domains import load_models
from qorgau.ingest.adapters.webhook import diagnostics, service
from qorgau.ingest.adapters.webhook.models import WebhookIntegration, WebhookReceipt
from qorgau.ingest.adapters.webhook.parser import Reason, WebhookRejected, sign
from qorgau.ingest.adapters.webhook.schemas import IntegrationPatch, VendorEventIn
from tests.ingest.adapters.webhook.conftest import ACTOR, add_device, add_integration, event

BODY = b"{}"


def _verified(db: Database, secret: str, name: str = "acme") -> service.Verified:
    now = utcnow()
    ts = str(int(now.timestamp()))
    with db.reading() as session:
        return service.authenticate(session, name=name, timestamp=ts, signature=sign(secret, ts, BODY), body=BODY,
                                    now=now, tolerance_s=300)


def test_a_concurrent_duplicate_gets_the_first_event(db: Database) -> None:
    verified = _verified(db, add_integration(db))
    event_in = VendorEventIn.model_validate(event())
    first_done = threading.Event()
    results: dict[str, service.Recorded] = {}

    def first() -> None:
        with db.unit_of_work() as session:
            results["first"] = service.record(session, verified=verified, event_in=event_in)
            first_done.set()
            time.sleep(0.5)  # the second writer now runs into this uncommitted receipt and must wait for it

    def second() -> None:
        first_done.wait(5)
        with db.unit_of_work() as session:
            results["second"] = service.record(session, verified=verified, event_in=event_in)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not results["first"].duplicate and results["second"].duplicate
    assert results["first"].event_id == results["second"].event_id
    with db.reading() as session:
        assert len(session.scalars(select(OutboxEvent).where(OutboxEvent.name == "ingest.vendor_event")).all()) == 1
        assert len(session.scalars(select(WebhookReceipt)).all()) == 1


def test_an_unknown_or_decommissioned_device_is_refused_and_nothing_recorded(db: Database) -> None:
    add_device(db, "ACC-0009", lifecycle="decommissioned")
    verified = _verified(db, add_integration(db))
    for device in ("ACC-0009", "ACC-0404"):
        with pytest.raises(WebhookRejected) as caught, db.unit_of_work() as session:
            service.record(session, verified=verified, event_in=VendorEventIn.model_validate(event(device=device)))
        assert caught.value.reason == Reason.UNKNOWN_DEVICE and caught.value.params == {"device": device}
    with db.reading() as session:
        assert session.scalars(select(WebhookReceipt)).all() == []


def test_management_is_audited_without_secrets(db: Database) -> None:
    secret = add_integration(db, event_types=["tamper"])
    with db.unit_of_work() as session:
        service.update(session, name="acme", patch=IntegrationPatch(enabled=False, description="x"), actor=ACTOR)
        service.update(session, name="acme", patch=IntegrationPatch(enabled=False), actor=ACTOR)  # no change
        _, fresh = service.rotate(session, name="acme", grace_s=60, actor=ACTOR)
    with db.reading() as session:
        records = session.scalars(select(AuditRecord).where(AuditRecord.target_type == "webhook_integration")
                                  .order_by(AuditRecord.seq)).all()
        row = session.scalars(select(WebhookIntegration)).one()
        assert not row.enabled and row.description == "x" and row.event_types == ["tamper"]
    assert [r.action for r in records] == ["webhooks.create", "webhooks.update", "webhooks.rotate"]
    assert records[1].details == {"changed": ["description", "enabled"], "enabled": False}
    assert all(secret not in str(r.details) and fresh not in str(r.details) for r in records)
    with db.engine.connect() as conn:  # stored encrypted
        raw = conn.exec_driver_sql("SELECT secret, previous_secret FROM webhook_integrations").one()
    assert raw[0].startswith("enc:v1:") and raw[1].startswith("enc:v1:") and secret not in str(raw)


def test_the_previous_secret_expires(db: Database) -> None:
    old = add_integration(db)
    with db.unit_of_work() as session:
        service.rotate(session, name="acme", grace_s=60, actor=ACTOR)
    assert _verified(db, old).name == "acme"
    later = utcnow() + timedelta(seconds=120)
    ts = str(int(later.timestamp()))
    with pytest.raises(WebhookRejected) as caught, db.reading() as session:
        service.authenticate(session, name="acme", timestamp=ts, signature=sign(old, ts, BODY), body=BODY, now=later,
                             tolerance_s=300)
    assert caught.value.reason == Reason.BAD_SIGNATURE and caught.value.integration == "acme"


def test_receipts_are_pruned_and_summarised(db: Database) -> None:
    verified = _verified(db, add_integration(db))
    now = utcnow()
    with db.unit_of_work() as session:
        service.record(session, verified=verified, event_in=VendorEventIn.model_validate(event("old")),
                       now=now - timedelta(days=40))
        service.record(session, verified=verified, event_in=VendorEventIn.model_validate(event("new")), now=now)
    with db.reading() as session:
        [summary] = diagnostics.summary(session, now=now)
    assert summary.name == "acme" and summary.enabled and summary.receipts_24h == 1
    with db.unit_of_work() as session:
        assert service.prune_receipts(session, before=now - timedelta(days=30)) == 1
    with db.reading() as session:
        assert [r.vendor_event_id for r in session.scalars(select(WebhookReceipt))] == ["new"]


def test_the_migration_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = [d for d in pending_diff(conn, load_models=load_models) if "webhook_" in repr(d)]
    assert diff == []
    downgrade(db.url, "0004")
    with db.engine.connect() as conn:
        assert not db.engine.dialect.has_table(conn, "webhook_receipts")
    upgrade(db.url)
    with db.engine.connect() as conn:
        assert db.engine.dialect.has_table(conn, "webhook_receipts")
