"""Routes every deployment needs: liveness, readiness, metrics and public metadata."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from qorgau import __version__
from qorgau.auth.deps import Public
from qorgau.core.settings import LANGUAGES
from qorgau.core.web import AppRuntime

router = APIRouter(tags=["system"])


@router.get("/healthz", dependencies=[Public])
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz", dependencies=[Public])
def readyz(runtime: AppRuntime, response: Response) -> dict[str, Any]:
    """Ready to serve: database reachable and migrated, event feed running."""
    checks: dict[str, bool] = {"started": runtime.ready}
    try:
        from qorgau.core.migrate import is_at_head

        with runtime.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            checks["database"] = True
            checks["migrations"] = is_at_head(conn)
    except Exception:
        checks["database"] = checks.get("database", False)
        checks["migrations"] = False
    ready = all(checks.values())
    response.status_code = 200 if ready else 503
    return {"status": "ready" if ready else "not_ready", "checks": checks}


@router.get("/metrics", dependencies=[Public], include_in_schema=False)
def metrics(runtime: AppRuntime) -> Response:
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/meta", dependencies=[Public])
def meta(runtime: AppRuntime) -> dict[str, Any]:
    """Version, time zone and languages, for the web app before sign-in."""
    return {"version": __version__, "time_zone": runtime.settings.time_zone, "languages": list(LANGUAGES),
            "default_language": runtime.settings.default_language}
