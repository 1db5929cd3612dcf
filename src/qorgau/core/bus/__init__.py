"""Typed events with a causal context, an outbox, and their delivery across processes.

Publishers only ever call :func:`publish` inside their unit of work; how committed
events travel (local sockets, PostgreSQL LISTEN/NOTIFY, later NATS JetStream) is the
transport's business. See docs/adr/0004-events-outbox-and-transport.md.
"""

from qorgau.core.bus.outbox import publish, publish_batch, publish_later
from qorgau.core.bus.types import Context, Event, EventPayload, EventType, event_type

__all__ = ["Context", "Event", "EventPayload", "EventType", "event_type", "publish", "publish_batch",
           "publish_later"]
