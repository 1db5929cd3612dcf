from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from qorgau.runtime.server import create_app
from qorgau.settings import Settings


def test_health_readiness_meta_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"started": True, "database": True, "migrations": True}
    meta = client.get("/api/meta").json()
    assert meta["time_zone"] == "Asia/Oral" and meta["languages"] == ["kk", "ru", "en"]
    client.post("/api/auth/login", json={"username": "nobody", "password": "x"})
    metrics = client.get("/metrics").text
    assert 'qorgau_login_failures_total{reason="invalid_credentials"} 1.0' in metrics
    assert 'route="/api/auth/login"' in metrics
    assert "nobody" not in metrics


def test_openapi_is_published(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "Qorgau API"
    assert "/api/auth/login" in spec["paths"]


def test_responses_carry_security_headers(client: TestClient) -> None:
    headers = client.get("/healthz").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-request-id"]


def test_unknown_api_paths_are_problems_not_the_web_app(client: TestClient) -> None:
    response = client.get("/api/does-not-exist")
    assert response.status_code == 404
    assert response.json()["code"] == "request.not_found"


def test_web_app_is_served_with_spa_fallback(settings: Settings, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Qorgau</title>")
    (dist / "assets" / "app-1234.js").write_text("console.log(1)")
    app: Any = create_app(settings.model_copy(update={"web_dist": dist}))
    with TestClient(app) as client:
        index = client.get("/")
        assert index.status_code == 200 and "<title>Qorgau</title>" in index.text
        assert index.headers["cache-control"] == "no-cache"
        deep = client.get("/alarms/42")
        assert deep.status_code == 200 and "Qorgau" in deep.text
        asset = client.get("/assets/app-1234.js")
        assert "immutable" in asset.headers["cache-control"]
        assert client.get("/assets/app-old.js").status_code == 404
        assert client.get("/../../etc/passwd").text.startswith("<!doctype html>")
