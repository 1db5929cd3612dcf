"""The contract of an ingest adapter: a plug-in unit started and stopped by the ingest runner."""

from __future__ import annotations

from typing import Protocol

from qorgau.ingest.hub import IngestHub


class Adapter(Protocol):
    """One protocol's listener or client. `start` returns once it is accepting; `stop` closes it cleanly."""

    name: str

    async def start(self, hub: IngestHub) -> None: ...

    async def stop(self) -> None: ...
