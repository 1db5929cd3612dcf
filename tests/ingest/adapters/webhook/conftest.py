"""Fixtures of the webhook tests: the app with the webhook routes, integrations, signed requests, devices."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response  # the client of Starlette's TestClient

from qorgau.audit.service import Actor
from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.devices import service as device_service
from qorgau.devices.schemas import DeviceCreate
from qorgau.ingest.adapters.webhook import service
from qorgau.ingest.adapters.webhook.parser import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from qorgau.ingest.adapters.webhook.schemas import IntegrationCreate
from qorgau.settings import Settings

VIEWS = "qorgau.ingest.adapters.webhook.views"
MODELS = "qorgau.ingest.adapters.webhook.models"
ACTOR = Actor(ref="system:test", name="pytest", source="test")
CENTRE = (53.011478, 51.173893)  # Aksai: lon, lat
URL = "/api/ingest/webhooks/{}"


@pytest.fixture
def app(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The server app, with the webhook routes and tables registered even before domains.py lists them."""
    from qorgau import domains
    from qorgau.runtime.server import create_app

    if VIEWS not in domains.VIEW_MODULES:
        monkeypatch.setattr(domains, "VIEW_MODULES", (*domains.VIEW_MODULES, VIEWS))
    if MODELS not in domains.MODEL_MODULES:
        monkeypatch.setattr(domains, "MODEL_MODULES", (*domains.MODEL_MODULES, MODELS))
    return create_app(settings)


def add_integration(db: Database, name: str = "acme", **fields: Any) -> str:
    """Create an integration; returns its secret."""
    with db.unit_of_work() as session:
        _, secret = service.create(session, integration_in=IntegrationCreate(name=name, **fields), actor=ACTOR)
    return secret


def add_device(db: Database, code: str = "ACC-0001", **fields: Any) -> None:
    body: dict[str, Any] = {"code": code, "kind": "access_point", "name_kk": "Турникет", "name_ru": "Турникет",
                            "lon": CENTRE[0], "lat": CENTRE[1], "lifecycle": "commissioned"} | fields
    with db.unit_of_work() as session:
        device_service.create(session, device_in=DeviceCreate.model_validate(body), actor=ACTOR,
                              ctx=Context.system("test"))


def event(event_id: object = "evt-1", type: str = "line_crossing", **extra: Any) -> dict[str, Any]:
    """A webhook document; the tests of rejections pass a wrong `event_id` (a number) or bad `extra` fields."""
    return {"event_id": event_id, "type": type, "occurred_at": "2025-05-01T08:30:00+05:00",
            "data": {"zone": "gate", "score": 0.93}} | extra


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: sign(secret, ts, body), "Content-Type": "application/json"}


def post_signed(client: TestClient, secret: str, body: dict[str, Any] | bytes, name: str = "acme",
                timestamp: int | None = None, headers: Mapping[str, str] | None = None) -> Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(URL.format(name), content=raw,
                       headers=signed_headers(secret, raw, timestamp) | dict(headers or {}))
