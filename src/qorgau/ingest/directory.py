"""The ingest's in-memory view of the registry: protocol identifier → device, with its decrypted keys.

Adapters look a device up on every frame, so the lookup is a dict; the view reloads when the registry's
revision moves (checked about once a second), so a panel added or re-keyed in the registry is accepted at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy.orm import Session

from qorgau.core.db import Database
from qorgau.core.workers import cancel_all
from qorgau.devices import queries as device_queries
from qorgau.devices import revision
from qorgau.devices.enums import Health, Protocol

log = logging.getLogger(__name__)


def dc09_value(receiver: str | None, line: str, account: str) -> str:
    """A DC-09 identifier as the directory keys it: hex numbers without leading zeros, upper case."""

    def norm(part: str) -> str:
        return part.strip().upper().lstrip("0") or "0"

    return f"{norm(receiver or '0')}/{norm(line)}/{norm(account)}"


# What an adapter knows about a registered device: the registry's own read model, secrets decrypted.
DeviceRef = device_queries.InService


_MISSING = object()


@dataclass(frozen=True, slots=True)
class _View:
    registry_revision: int
    by_identifier: Mapping[tuple[str, str], DeviceRef]
    by_code: Mapping[str, DeviceRef]
    dc09_memo: dict[tuple[str | None, str, str], DeviceRef | None] = field(default_factory=dict)


class Directory:
    """Identifier → device lookups for the adapters, and the registry health each device had when last read."""

    def __init__(self, db: Database, *, refresh_s: float = 1.0) -> None:
        self._db = db
        self._refresh_s = refresh_s
        self._view = _View(-1, {}, {})
        self._health: dict[int, str] = {}
        self._health_revision = -1
        self._task: asyncio.Task[None] | None = None

    def find(self, protocol: Protocol | str, value: str) -> DeviceRef | None:
        """The in-service device the protocol identifier names, or None (unknown or decommissioned)."""
        if protocol == Protocol.DC09:
            parts = value.split("/")
            value = dc09_value(*parts) if len(parts) == 3 else value
        return self._view.by_identifier.get((str(protocol), value))

    def find_dc09(self, receiver: str | None, line: str, account: str) -> DeviceRef | None:
        """The panel a DC-09 frame's address names; memoised per raw address, as panels repeat theirs."""
        view = self._view
        found = view.dc09_memo.get((receiver, line, account), _MISSING)
        if found is _MISSING:
            found = view.by_identifier.get((Protocol.DC09.value, dc09_value(receiver, line, account)))
            if len(view.dc09_memo) < 100_000:  # addresses of unknown panels must not grow it without bound
                view.dc09_memo[(receiver, line, account)] = found
        return found  # type: ignore[return-value]

    def by_code(self, code: str) -> DeviceRef | None:
        return self._view.by_code.get(code.strip().upper())

    def is_online(self, device: DeviceRef) -> bool:
        """Health as last read from the registry (refreshed when any device's health changes)."""
        return self._health.get(device.id) == Health.ONLINE

    def reload(self) -> None:
        """Re-read the registry if it changed since the last read (blocking: call from a thread)."""
        with self._db.reading() as session:
            registry_rev, health_rev = revision.current(session)
            if registry_rev != self._view.registry_revision:
                self._view = self._load(session, registry_rev)
            if health_rev != self._health_revision or registry_rev != self._view.registry_revision:
                self._health = device_queries.health_in_service(session)
                self._health_revision = health_rev

    def _load(self, session: Session, registry_rev: int) -> _View:
        by_identifier: dict[tuple[str, str], DeviceRef] = {}
        by_code: dict[str, DeviceRef] = {}
        for device in device_queries.in_service(session):
            by_code[device.code] = device
            for protocol, value in device.identifiers:
                if protocol == Protocol.DC09:
                    value = dc09_value(*value.split("/"))
                by_identifier[(protocol, value)] = device
        log.info("ingest directory loaded", extra={"devices": len(by_code), "revision": registry_rev})
        return _View(registry_rev, MappingProxyType(by_identifier), MappingProxyType(by_code))

    async def start(self) -> None:
        await asyncio.to_thread(self.reload)
        self._task = asyncio.create_task(self._follow(), name="ingest-directory")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_all([self._task])
            self._task = None

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_s)
            try:
                await asyncio.to_thread(self.reload)
            except Exception:
                # The database may be restarting; keep serving from the last view and try again.
                log.warning("ingest directory refresh failed", exc_info=True)
