"""`qorgau ingest` as a process of its own: the adapters, plus a small HTTP endpoint for /metrics and health.

Its commits wake the server's event readers through the same cross-process transport as any publisher.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from qorgau import __version__
from qorgau.api import system
from qorgau.api.guards import unguarded_routes
from qorgau.core import problems
from qorgau.ingest.config import IngestSettings
from qorgau.ingest.runner import IngestRunner
from qorgau.runtime.process import build_runtime, load_domains

log = logging.getLogger(__name__)


def create_ingest_app(settings: IngestSettings) -> FastAPI:
    load_domains()
    runtime = build_runtime(settings)
    runner = IngestRunner(settings, runtime.db, runtime.metrics.registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.transport.start()
        await runner.start()
        # Everything loaded so far lives as long as the process: keep the collector from rescanning it, and
        # collect the young generation less often (each frame allocates a few dozen short-lived objects).
        gc.collect()
        gc.freeze()
        gc.set_threshold(10_000, 20, 20)
        runtime.ready = True
        log.info("qorgau ingest started", extra={"adapters": sorted(runner.adapters), "version": __version__})
        try:
            yield
        finally:
            runtime.ready = False
            await runner.stop()
            await runtime.transport.stop()
            await asyncio.get_running_loop().shutdown_default_executor()  # stray thread work ends before the pool
            runtime.db.dispose()

    app = FastAPI(title="Qorgau ingest", version=__version__, lifespan=lifespan, openapi_url=None, docs_url=None,
                  redoc_url=None)
    app.state.runtime = runtime
    app.state.ingest = runner
    problems.install(app)
    app.include_router(system.router)
    missing = unguarded_routes(app)
    if missing:
        raise RuntimeError(f"routes without a declared permission: {', '.join(missing)}")
    return app
