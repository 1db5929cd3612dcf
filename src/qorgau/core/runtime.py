"""Everything one server process holds: settings, database, keys, event transport and live feed."""

from __future__ import annotations

from dataclasses import dataclass, field

from qorgau.core.bus.live import LiveFeed
from qorgau.core.bus.transport import EventTransport
from qorgau.core.crypto import Keyring
from qorgau.core.db import Database
from qorgau.core.metrics import Metrics
from qorgau.core.settings import CoreSettings


@dataclass
class Runtime:
    settings: CoreSettings
    db: Database
    keyring: Keyring
    transport: EventTransport
    live: LiveFeed
    metrics: Metrics = field(default_factory=Metrics)
    ready: bool = False
