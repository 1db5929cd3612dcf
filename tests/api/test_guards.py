"""Secure by default: every route declares a guard, and the check catches one that does not."""

from typing import Any

import pytest
from fastapi import APIRouter, FastAPI

from qorgau.api.guards import route_guards, unguarded_routes
from qorgau.settings import Settings


def test_every_route_of_the_app_declares_a_guard(app: FastAPI) -> None:
    assert unguarded_routes(app) == []
    table = route_guards(app)
    public = sorted(route for route, guards in table.items() if guards == ["Public"])
    # The webhook receiver is public at the route level: it authenticates every request by its HMAC signature.
    # A resident's feedback link is public too: its 192-bit one-time token is the credential (ADR 0033).
    assert public == ["GET /api/feedback/t/{token}", "GET /api/meta", "GET /healthz", "GET /metrics", "GET /readyz",
                      "POST /api/auth/login", "POST /api/feedback/t/{token}",
                      "POST /api/ingest/webhooks/{integration}"]
    assert table["WEBSOCKET /api/events/ws"] == ["Require(events:read)"]


def test_a_new_unprotected_route_is_caught(app: FastAPI) -> None:
    sneaky = APIRouter(prefix="/api/sneaky")

    @sneaky.get("/dump")
    def dump() -> dict[str, Any]:
        return {}

    @sneaky.websocket("/ws")
    async def socket(websocket: Any) -> None:
        return None

    app.include_router(sneaky)
    assert sorted(unguarded_routes(app)) == ["GET /api/sneaky/dump", "WEBSOCKET /api/sneaky/ws"]


def test_the_app_refuses_to_start_with_an_unprotected_route(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qorgau import domains
    from qorgau.runtime.server import create_app

    leaky = APIRouter()

    @leaky.get("/api/leak")
    def leak() -> dict[str, str]:
        return {}

    real = domains.routers
    monkeypatch.setattr(domains, "routers", lambda: [*real(), leaky])
    with pytest.raises(RuntimeError, match="GET /api/leak"):
        create_app(settings)


def test_unauthenticated_calls_get_401_problems(client: Any) -> None:
    for path in ("/api/users", "/api/audit", "/api/events", "/api/auth/session", "/api/roles"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "auth.not_authenticated"
