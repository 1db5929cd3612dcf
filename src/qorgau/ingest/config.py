"""The ingest's settings: where it runs and listens, and how it commits; each adapter's settings extend them."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from qorgau.core.settings import CoreSettings


class IngestSettings(CoreSettings):
    """Where the device adapters run and listen, and how their events are committed (`QORGAU_INGEST_*`)."""

    section: ClassVar[str] = "Ingest"

    ingest_in_serve: bool = Field(
        default=True, title="Ingest inside the server",
        description="Run the device adapters inside `qorgau serve`; false when `qorgau ingest` runs them as a "
                    "process of its own.",
    )
    ingest_host: str = Field(
        default="127.0.0.1", title="Ingest listen address",
        description="Address the DC-09 and SIP listeners bind; `0.0.0.0` to accept devices on the network.",
    )
    ingest_http_port: int = Field(
        default=8001, ge=0, le=65535, title="Ingest HTTP port",
        description="Port of `qorgau ingest`'s own HTTP endpoint (webhooks, /metrics, /healthz, /readyz); 0 picks a "
                    "free one.",
    )
    ingest_max_batch: int = Field(
        default=2000, ge=1, title="Largest group commit",
        description="Most events the ingest writer commits in one transaction (every one before its acknowledgement).",
    )
    ingest_writer_process: bool = Field(
        default=True, title="Ingest writer process",
        description="Commit ingest events from a process of their own, so database work never competes with the "
                    "adapters for the interpreter lock; false: a thread.",
    )
