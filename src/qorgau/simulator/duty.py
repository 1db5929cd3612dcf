"""A simulated duty shift for unattended demos and load runs: what nobody at the desk took up within a grace
period is taken up by the book — acknowledge the alarm, dispatch the recommended unit, close what the unit
resolved. It acts through the same API as the desks, so everything it does is timed like a person's action.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from qorgau.simulator.api import Api, ApiError
from qorgau.simulator.stats import Stats

log = logging.getLogger(__name__)


def _age_s(item: dict[str, Any], key: str) -> float:
    stamp = datetime.fromisoformat(str(item[key]).replace("Z", "+00:00"))
    return (datetime.now(UTC) - stamp).total_seconds()


class DutyOfficer:
    """Acts on simulated alarms and incidents left untouched for ``grace_s`` seconds."""

    def __init__(self, api: Api, *, grace_s: float, stats: Stats, every_s: float = 5.0) -> None:
        self.api = api
        self.grace_s = grace_s
        self.stats = stats
        self.every_s = every_s

    async def run(self) -> None:
        while True:
            try:
                await self.shift()
            except ApiError as exc:
                log.warning("duty officer: %s", exc)
            await asyncio.sleep(self.every_s)

    async def shift(self) -> None:
        for alarm in (await self.api.get("/api/alarms", state="new"))["items"]:
            if alarm.get("simulated") and _age_s(alarm, "first_at") >= self.grace_s:
                await self.api.post(f"/api/alarms/{alarm['id']}/acknowledge", ok=(409,))
                self.stats.count("duty-acknowledged")
        for incident in (await self.api.get("/api/incidents", state="new"))["items"]:
            if incident.get("simulated") and _age_s(incident, "received_at") >= self.grace_s:
                await self.dispatch(incident["id"])
        for incident in (await self.api.get("/api/incidents", state="resolved"))["items"]:
            if incident.get("simulated"):
                await self.api.post(f"/api/incidents/{incident['id']}/transition", {"to": "closed"}, ok=(409,))
                self.stats.count("duty-closed")

    async def dispatch(self, incident_id: int) -> None:
        ranked = await self.api.get(f"/api/incidents/{incident_id}/recommendations")
        for unit in ranked:
            answer = await self.api.post(f"/api/incidents/{incident_id}/dispatch", {"unit_code": unit["code"]},
                                         ok=(409,))
            if answer is not None:
                self.stats.count("duty-dispatched")
                return
