"""The live progress table of `qorgau simulate`: rates and acknowledgements per protocol, units, outages."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.table import Table

from qorgau.protocols.latency import latency_ms

if TYPE_CHECKING:
    from qorgau.simulator.runner import Simulation

LABELS = {"dc09": "SIA DC-09 (panels)", "mqtt": "MQTT (turnstiles, SOS, GPS, heartbeats)",
          "sip": "SIP (SOS calls)", "http": "HTTP (102 calls, camera heartbeats)", "units": "Unit app (crews)"}


class Progress:
    """Remembers the last counts so each refresh shows rates per second."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}
        self._at = time.monotonic()

    def table(self, sim: Simulation) -> Table:
        now = time.monotonic()
        span = max(now - self._at, 1e-6)
        title = f"Qorgau simulation · seed {sim.config.seed} · run {sim.run_id or '—'} · {len(sim.sent)} planned"
        table = Table(title=title, expand=False)
        for column in ("channel", "sent", "acked", "failed", "per s", "ack p50 ms", "ack p99 ms"):
            table.add_column(column, justify="left" if column == "channel" else "right")
        for name, channel in sim.stats.channels.items():
            rate = (channel.sent - self._last.get(name, 0)) / span
            self._last[name] = channel.sent
            lat = latency_ms(list(channel.latencies_s)[-2000:])
            table.add_row(LABELS[name], str(channel.sent), str(channel.acked), str(channel.failed), f"{rate:.1f}",
                          _ms(lat["p50_ms"]), _ms(lat["p99_ms"]))
        self._at = now
        moving = sim.units.moving() if sim.units is not None else 0
        total = len(sim.units.agents) if sim.units is not None else 0
        outages = sim.panels.outages() if sim.panels is not None else 0
        table.caption = f"units moving {moving}/{total} · panels in outage {outages}"
        return table


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
