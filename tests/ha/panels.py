"""DC-09 panels for the HA tests: each sends alarm after alarm and keeps a ledger of what was ACKed and when."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import psycopg

from qorgau.core.db import Database
from qorgau.protocols.dc09.transmitter import PanelConfig, Transmitter, contact_id
from tests.ingest.conftest import add_panel


def code_of(account: str) -> str:
    return f"PNL-{account}"


def register(db: Database, accounts: list[str]) -> None:
    for account in accounts:
        add_panel(db, code_of(account), account)


def panel(account: str, *, ack_timeout_s: float = 2.0, retries: int = 60) -> PanelConfig:
    """As `add_panel` registers it (receiver 1, line 1); patient, as a panel retrying its receiver is."""
    return PanelConfig(account=account, prefix="1", receiver="1", ack_timeout_s=ack_timeout_s, retries=retries)


@dataclass
class Ledger:
    acked: dict[tuple[str, int], float] = field(default_factory=dict)  # (device code, sequence) → when ACKed
    failed: list[tuple[str, int, str]] = field(default_factory=list)  # messages a panel gave up on

    def gaps(self, since: float) -> float:
        """The longest time from `since` on with no ACK to any panel (the outage the panels saw)."""
        times = sorted(at for at in self.acked.values() if at >= since)
        if not times:
            return float("inf")
        return max(b - a for a, b in zip([since, *times], times, strict=False))


async def send_until(host: str, port: int, account: str, stop: asyncio.Event, ledger: Ledger) -> None:
    """One panel: a new alarm as soon as the last is answered, until `stop`; the message in hand is finished."""
    async with Transmitter(host, port, panel(account)) as transmitter:
        while not stop.is_set():
            sequence = transmitter.sequence
            result = await transmitter.send(contact_id(account, 130, zone=1))
            if result.acknowledged:
                ledger.acked[(code_of(account), sequence)] = time.monotonic()
            else:
                ledger.failed.append((code_of(account), sequence, result.outcome.value))


def stored_frames(dsn: str) -> list[tuple[str, int]]:
    """(device code, sequence) of every panel event in the database, in the order recorded (repeats kept)."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT payload->>'device_code', (payload->>'sequence')::int FROM events "
                            "WHERE name = 'ingest.panel_event' ORDER BY seq").fetchall()
    return [(str(code), int(sequence)) for code, sequence in rows]
