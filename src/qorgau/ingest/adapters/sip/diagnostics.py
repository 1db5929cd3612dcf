"""A snapshot of the SIP listener for health pages and support: ports, calls by state, open transactions."""

from __future__ import annotations

from collections import Counter
from typing import Any

from qorgau.ingest.adapters.sip.adapter import SipAdapter


def snapshot(adapter: SipAdapter) -> dict[str, Any]:
    """What the listener is doing now; no caller data, only counts and the device codes of calls in progress."""
    uas = adapter.uas
    if uas is None:
        return {"running": False, "port": adapter.port}
    return {
        "running": True,
        "host": adapter.config.host,
        "port": adapter.port,
        "calls": dict(Counter(str(call.state) for call in uas.calls.values())),
        "calls_devices": sorted(call.device.code for call in uas.calls.values()),
        "transactions": len(uas.transactions),
        "media_ports_in_use": uas.media.in_use,
        "tcp_connections": adapter.connections,
    }
