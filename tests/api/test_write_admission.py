"""A burst of API writes larger than the worker threads completes: waiting writes hold no thread."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
from fastapi.testclient import TestClient

from qorgau.api.middleware import WRITE_ADMISSION

# Fewer worker threads than the burst, as on a busy server (but more than the writes admitted at once, as the
# server's 200 are).
WORKER_THREADS = max(WRITE_ADMISSION.values()) + 4
BURST = 2 * WORKER_THREADS


async def _shrink_thread_pool() -> None:
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS


def test_a_burst_of_writes_beyond_the_worker_threads_completes(admin_client: TestClient) -> None:
    camera = {"code": "CAM-BURST", "kind": "camera", "name_kk": "Камера", "name_ru": "Камера", "lon": 53.0115,
              "lat": 51.1739, "lifecycle": "commissioned", "purpose": "public_space"}
    assert admin_client.post("/api/devices", json=camera).status_code == 201
    assert admin_client.portal is not None
    admin_client.portal.call(_shrink_thread_pool)
    # Before write admission every worker thread could end up waiting for SQLite's write lock while the request
    # holding it needed one more thread to finish: the burst stood still for the 30 s busy timeout.
    started = time.monotonic()
    with ThreadPoolExecutor(BURST) as pool:
        statuses = list(pool.map(lambda _: admin_client.post("/api/devices/CAM-BURST/heartbeat", json={}).status_code,
                                 range(BURST)))
    assert statuses == [200] * BURST
    assert time.monotonic() - started < 15
