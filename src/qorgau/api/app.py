"""The application factory: one FastAPI app with every domain's routes, started and stopped as a unit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from qorgau import __version__, domains
from qorgau.alarms import escalation as alarm_escalation
from qorgau.api.guards import bulk_body_paths, unguarded_routes
from qorgau.api.middleware import BodyLimit, Observe
from qorgau.api.webapp import WebApp, default_dist
from qorgau.audit import service as audit_service
from qorgau.audit.signing import anchor_path, load_signer
from qorgau.auth import service as auth_service
from qorgau.core import problems
from qorgau.core.bus.dispatch import Dispatcher, Subscriber
from qorgau.core.bus.live import LiveFeed
from qorgau.core.bus.transport import make_transport
from qorgau.core.crypto import configure_keyring, load_keyring
from qorgau.core.db import Database
from qorgau.core.runtime import Runtime
from qorgau.core.settings import Settings, get_settings
from qorgau.core.time import utcnow
from qorgau.core.workers import Periodic, Supervisor
from qorgau.devices import health as device_health
from qorgau.devices.config import DEFAULTS as DEVICE_DEFAULTS
from qorgau.ingest.runner import IngestRunner
from qorgau.simulation import service as simulation_service

log = logging.getLogger(__name__)
SIMULATION_CHECK_S = 5.0  # how often runs without a heartbeat are looked for
WORKER_THREADS = 200  # request threads: well above the connection pool, see the lifespan


def build_runtime(settings: Settings) -> Runtime:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.effective_database_url)
    keyring = load_keyring(settings)
    configure_keyring(keyring)
    transport = make_transport(settings, db)
    return Runtime(settings=settings, db=db, keyring=keyring, transport=transport, live=LiveFeed(transport))


def create_app(settings: Settings | None = None, *, extra_subscribers: Iterable[Subscriber] = ()) -> FastAPI:
    """Build the server app; routes without a guard make this fail (secure by default)."""
    settings = settings or get_settings()
    domains.load_models()
    domains.load_events()
    runtime = build_runtime(settings)
    subscribers = [*domains.subscribers(), *extra_subscribers]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        supervisor = Supervisor(runtime.metrics)
        signer = load_signer(settings)
        anchor = anchor_path(settings)

        def checkpoint_audit() -> None:
            with runtime.db.unit_of_work() as session:
                audit_service.checkpoint(session, signer, anchor)

        def purge_sessions() -> None:
            with runtime.db.unit_of_work() as session:
                auth_service.purge_expired_sessions(session, utcnow(), idle_minutes=settings.session_idle_minutes)

        # A request's transaction starts in the thread that runs its route and commits in another thread hop
        # (the dependency's teardown). If every worker thread were waiting for SQLite's write lock, the request
        # holding it could not get a thread to commit, and all would wait out the 30 s busy timeout. More threads
        # than database connections (every waiter holds or waits for one) leave a thread free for that commit.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, WORKER_THREADS)
        await runtime.transport.start()
        await runtime.live.start()
        dispatcher = Dispatcher(runtime.db, runtime.transport, subscribers)
        await dispatcher.start()
        ingest = IngestRunner(settings, runtime.db, runtime.metrics.registry) if settings.ingest_in_serve else None
        if ingest is not None:
            await ingest.start()
        app.state.ingest = ingest
        supervisor.every(Periodic("audit-checkpoint", settings.audit_checkpoint_interval_s, checkpoint_audit))
        supervisor.every(Periodic("session-purge", 600, purge_sessions))
        supervisor.every(Periodic("alarm-escalation", 5.0, lambda: alarm_escalation.escalate_database(runtime.db)))
        supervisor.every(Periodic("device-supervision", DEVICE_DEFAULTS.supervision_check_s,
                                  lambda: device_health.supervise_database(runtime.db)))
        supervisor.every(Periodic("simulation-lost-runs", SIMULATION_CHECK_S, lambda: simulation_service
                                  .end_lost_database(runtime.db, lost_after_s=settings.simulation_lost_after_s)))
        runtime.ready = True
        log.info("qorgau started", extra={"version": __version__})
        try:
            yield
        finally:
            runtime.ready = False
            if ingest is not None:
                await ingest.stop()
            await supervisor.stop()
            await dispatcher.stop()
            await runtime.live.stop()
            await runtime.transport.stop()
            # A cancelled `to_thread` call keeps running in its thread; let those finish before the pool closes,
            # or a connection they open afterwards is never closed.
            await asyncio.get_running_loop().shutdown_default_executor()
            try:
                checkpoint_audit()
            except Exception:
                log.exception("final audit checkpoint failed")
            runtime.db.dispose()

    app = FastAPI(
        title="Qorgau API", version=__version__, lifespan=lifespan, openapi_url="/api/openapi.json",
        docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None,
        description="Operations Control Center for city police. Errors are RFC 9457 problem+json.",
    )
    app.state.runtime = runtime
    problems.install(app)
    for router in domains.routers():
        app.include_router(router)
    app.mount("/", WebApp(settings.web_dist or default_dist()), name="web")
    app.add_middleware(BodyLimit, runtime=runtime, bulk_paths=bulk_body_paths(app))
    app.add_middleware(Observe, runtime=runtime)
    missing = unguarded_routes(app)
    if missing:
        raise RuntimeError(f"routes without a declared permission: {', '.join(missing)}")
    return app
