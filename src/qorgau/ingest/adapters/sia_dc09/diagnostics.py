"""A snapshot of the DC-09 receiver for health pages and support: its ports, connections and backlog."""

from __future__ import annotations

import socket
from typing import Any

from qorgau.ingest.adapters.sia_dc09.adapter import Dc09Adapter
from qorgau.ingest.metrics import udp_drops


def snapshot(adapter: Dc09Adapter) -> dict[str, Any]:
    """What the receiver is doing now; counts only, no account numbers or frame content.

    Frames received, rejected (by reason) and committed are the ingest's Prometheus counters (adapter
    ``sia_dc09``); this adds the state behind them.
    """
    settings, datagrams = adapter.settings, adapter.datagrams
    if datagrams is None:
        return {"running": False, "tcp_port": settings.dc09_tcp_port, "udp_port": settings.dc09_udp_port}
    connections = list(adapter.connections)
    udp_socket = adapter.udp_socket
    return {
        "running": True,
        "host": settings.ingest_host,
        "tcp_port": adapter.tcp_port,
        "udp_port": adapter.udp_port,
        "tcp_connections": len(connections),
        "tcp_connections_limit": settings.dc09_max_connections,
        "tcp_connections_reserved": settings.dc09_reserved_connections,
        # Addresses that have sent an accepted frame: the reserved connections are theirs.
        "panel_sources": len(adapter.panel_sources),
        # Reading paused: the panel sends faster than its frames commit (see PAUSE_AT in the adapter).
        "tcp_connections_paused": sum(1 for connection in connections if connection.paused),
        "frames_awaiting_commit": sum(len(connection.slots) for connection in connections),
        "udp_sources": len(datagrams.buckets),
        # What the kernel granted (it doubles the request, capped at net.core.rmem_max) and what overflowed it.
        "udp_receive_buffer_bytes": udp_socket.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) if udp_socket else 0,
        "udp_kernel_drops": udp_drops(udp_socket) if udp_socket else None,
    }
