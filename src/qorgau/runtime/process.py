"""What every server-side process holds (settings, database, keys, event transport, live feed), built once."""

from __future__ import annotations

from qorgau import domains
from qorgau.core.bus.live import LiveFeed
from qorgau.core.bus.transport import make_transport
from qorgau.core.crypto import configure_keyring, load_keyring
from qorgau.core.db import Database
from qorgau.core.runtime import Runtime
from qorgau.core.settings import CoreSettings


def load_domains() -> None:
    """Import every domain's tables and events, so the metadata and the event catalogue are complete."""
    domains.load_models()
    domains.load_events()


def build_runtime(settings: CoreSettings) -> Runtime:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.effective_database_url)
    keyring = load_keyring(settings)
    configure_keyring(keyring)
    transport = make_transport(settings, db)
    return Runtime(settings=settings, db=db, keyring=keyring, transport=transport, live=LiveFeed(transport))
