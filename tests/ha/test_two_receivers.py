"""Two `qorgau ingest` receivers on one database: the same frames sent to both are ACKed by both, recorded once.

DC-09 panels know a primary and a backup receiver. Here each frame's very bytes go to both at once, so the two
receivers race to record it; migration 0030's claim lets the first commit and turns the second into a no-op.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from qorgau.core.db import Database
from qorgau.protocols.dc09.transmitter import Transmitter, contact_id
from qorgau.settings import Settings
from tests.ha.nodes import ingesting
from tests.ha.panels import code_of, panel, register
from tests.ingest.conftest import stored
from tests.server import cli_env, free_port

ACCOUNTS = [str(2001 + n) for n in range(6)]
FRAMES = 15  # per panel


async def _to_both(account: str, ports: tuple[int, int]) -> list[tuple[str, str]]:
    """Send each frame of one panel to both receivers at once; the two answers' types, frame by frame."""
    config = panel(account, ack_timeout_s=10.0)
    answers: list[tuple[str, str]] = []
    async with (Transmitter("127.0.0.1", ports[0], config) as first,
                Transmitter("127.0.0.1", ports[1], config) as second):
        for sequence in range(1, FRAMES + 1):
            data = first.render(contact_id(account, 130 + sequence % 2, zone=1), sequence)  # one frame, one stamp
            await asyncio.gather(first.send_raw(data), second.send_raw(data))
            a, b = await asyncio.gather(first.receive(), second.receive())
            assert a.sequence == b.sequence == sequence
            answers.append((a.message_type, b.message_type))
    return answers


async def _send(ports: tuple[int, int]) -> list[tuple[str, str]]:
    results = await asyncio.gather(*(_to_both(account, ports) for account in ACCOUNTS))
    return [answer for result in results for answer in result]


@pytest.mark.timeout(600)
def test_a_frame_sent_to_both_receivers_is_recorded_once(settings: Settings, db: Database, tmp_path: Path) -> None:
    register(db, ACCOUNTS)
    ports = (free_port(), free_port())
    envs = [cli_env(settings.data_dir, settings.effective_database_url, QORGAU_DC09_TCP_PORT=str(port),
                    QORGAU_DC09_UDP_PORT=str(port), QORGAU_SIP_ENABLED="false",
                    QORGAU_INGEST_HTTP_PORT=str(free_port())) for port in ports]
    with (ingesting(envs[0], tmp_path / "ingest-0.log") as first,
          ingesting(envs[1], tmp_path / "ingest-1.log") as second):
        answers = asyncio.run(_send(ports))
        assert first.poll() is None and second.poll() is None
    assert answers == [("ACK", "ACK")] * (len(ACCOUNTS) * FRAMES)  # both ACK: each answers a recorded frame
    frames = [(event.payload["device_code"], event.payload["sequence"]) for event in stored(db, "ingest.panel_event")]
    assert sorted(frames) == sorted((code_of(a), s) for a in ACCOUNTS for s in range(1, FRAMES + 1))  # each once
