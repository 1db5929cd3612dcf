"""The DC-09 receiver's snapshot: stopped, then listening with a TCP panel and a UDP source."""

from __future__ import annotations

import asyncio
import socket

from qorgau.core.db import Database
from qorgau.ingest.adapters.sia_dc09.adapter import Dc09Adapter, create
from qorgau.ingest.adapters.sia_dc09.diagnostics import snapshot
from qorgau.protocols.dc09.parser import Frame
from qorgau.protocols.dc09.render import render_frame
from qorgau.settings import Settings
from tests.conftest import run_async
from tests.ingest.conftest import add_panel, eventually, ingest_settings, running_ingest, send_panic


def test_a_stopped_receiver_reports_its_configured_ports(settings: Settings) -> None:
    adapter = create(ingest_settings(settings, dc09_tcp_port=12301, dc09_udp_port=12302))
    assert adapter is not None
    assert snapshot(adapter) == {"running": False, "tcp_port": 12301, "udp_port": 12302}


def test_a_running_receiver_reports_connections_and_sources(settings: Settings, db: Database) -> None:
    add_panel(db)

    async def main() -> None:
        async with running_ingest(settings, db) as runner:
            adapter = runner.adapters["sia_dc09"]
            assert isinstance(adapter, Dc09Adapter)
            idle = await asyncio.open_connection("127.0.0.1", adapter.tcp_port)
            await asyncio.to_thread(send_panic, adapter.tcp_port)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.settimeout(10)
                udp.sendto(render_frame(Frame(message_type="ADM-CID", sequence=7, receiver="1", prefix="1",
                                              account="1234", data="#1234|1120 01 001")),
                           ("127.0.0.1", adapter.udp_port))
                await asyncio.to_thread(udp.recv, 512)  # the ACK: the source has been seen
            await eventually(lambda: snapshot(adapter)["tcp_connections"] == 1)
            state = snapshot(adapter)
            assert state == {"running": True, "host": "127.0.0.1", "tcp_port": adapter.tcp_port,
                             "udp_port": adapter.udp_port, "tcp_connections": 1, "tcp_connections_limit": 10_000,
                             "tcp_connections_reserved": 1_000, "panel_sources": 1, "tcp_connections_paused": 0,
                             "frames_awaiting_commit": 0, "udp_sources": 1,
                             "udp_receive_buffer_bytes": state["udp_receive_buffer_bytes"], "udp_kernel_drops": 0}
            assert state["udp_receive_buffer_bytes"] >= 4 * 1024 * 1024  # asked for 4 MiB; here rmem_max allows it
            idle[1].close()
        assert snapshot(adapter)["running"] is False

    run_async(main())
