"""`qorgau serve`'s application: every domain's routes, subscribers and periodic jobs, started and stopped as one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from qorgau import __version__, domains
from qorgau.api.guards import bulk_body_paths, unguarded_routes
from qorgau.api.middleware import BodyLimit, Observe, WriteAdmission
from qorgau.api.transactions import commit_in_route_thread
from qorgau.api.webapp import WebApp, default_dist
from qorgau.core import problems
from qorgau.core.bus.dispatch import Dispatcher, Subscriber
from qorgau.core.db import Database
from qorgau.core.workers import Supervisor
from qorgau.ingest.runner import IngestRunner
from qorgau.roads.enforcement.metrics import PipelineCollector
from qorgau.runtime.process import build_runtime, load_domains
from qorgau.settings import Settings, get_settings
from qorgau.statistics import service as statistics
from qorgau.video.analytics.metrics import AnalyticsCollector
from qorgau.video.status import VideoCollector

log = logging.getLogger(__name__)


def warm_statistics(settings: Settings, db: Database) -> None:
    """Start loading the offence statistics' cube in the background: with millions of records the load takes
    minutes, which the first dashboard after a start must not wait for (ADR 0037)."""
    try:
        with db.reading() as session:
            statistics.warm(session, settings)
    except Exception:  # the figures' own request reports the problem; the server starts regardless
        log.exception("the statistics cube was not warmed")
WORKER_THREADS = 200  # request threads: well above the connection pool, see the lifespan


def create_app(settings: Settings | None = None, *, extra_subscribers: Iterable[Subscriber] = ()) -> FastAPI:
    """Build the server app; routes without a guard make this fail (secure by default)."""
    settings = settings or get_settings()
    load_domains()
    runtime = build_runtime(settings)
    # /metrics reads the video workers' camera and volume status rows at scrape time (the workers have no HTTP).
    runtime.metrics.registry.register(VideoCollector(runtime.db))
    runtime.metrics.registry.register(AnalyticsCollector(runtime.db, settings.video_dir / "analytics"))
    runtime.metrics.registry.register(PipelineCollector(settings.data_dir))  # the violation pipeline's figures
    subscribers = [*domains.subscribers(), *extra_subscribers]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        supervisor = Supervisor(runtime.metrics)
        jobs = domains.periodic(settings, runtime.db)
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
        for job in jobs:
            supervisor.every(job)
        warm_statistics(settings, runtime.db)
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
            for job in jobs:
                if job.run_at_stop:
                    try:
                        job.job()
                    except Exception:
                        log.exception("last run of %s failed", job.name)
            runtime.db.dispose()

    app = FastAPI(
        title="Qorgau API", version=__version__, lifespan=lifespan, openapi_url="/api/openapi.json",
        docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None,
        description="Operations Control Center for city police. Errors are RFC 9457 problem+json.",
    )
    app.state.runtime = runtime
    problems.install(app)
    for router in domains.routers():
        commit_in_route_thread(router)  # a write route's transaction held only inside one worker thread
        app.include_router(router)
    app.mount("/", WebApp(settings.web_dist or default_dist()), name="web")
    app.add_middleware(WriteAdmission, runtime=runtime)
    app.add_middleware(BodyLimit, runtime=runtime, bulk_paths=bulk_body_paths(app))
    app.add_middleware(Observe, runtime=runtime)
    missing = unguarded_routes(app)
    if missing:
        raise RuntimeError(f"routes without a declared permission: {', '.join(missing)}")
    return app
