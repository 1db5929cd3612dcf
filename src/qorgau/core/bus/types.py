"""Event vocabulary: event types, their frozen payloads, the envelope and the causal context."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from qorgau.core.ids import new_uuid
from qorgau.core.time import utcnow


class EventPayload(BaseModel):
    """Base of every payload: frozen, named fields, no extras."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class RawPayload(EventPayload):
    """Payload of an event whose type this process does not know (kept, never dropped)."""

    model_config = ConfigDict(frozen=True, extra="allow")


class Context(BaseModel):
    """Who or what caused an event, and which chain of events it belongs to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: str = Field(description="`user:<id>`, `device:<code>`, `system:<component>`")
    correlation_id: uuid.UUID = Field(default_factory=new_uuid, description="Shared by one chain of causes.")
    parent_id: uuid.UUID | None = Field(default=None, description="The event that caused this one.")
    simulated: bool = Field(default=False, description="Set on everything the simulator caused.")

    @classmethod
    def system(cls, component: str) -> Context:
        return cls(actor=f"system:{component}")

    @classmethod
    def for_user(cls, user_id: int) -> Context:
        return cls(actor=f"user:{user_id}")

    def caused_by(self, event: Event[Any]) -> Context:
        """Context for work done in reaction to ``event``: same chain, that event as parent."""
        return self.model_copy(update={"correlation_id": event.context.correlation_id, "parent_id": event.id})


P = TypeVar("P", bound=EventPayload)


@dataclass(frozen=True)
class EventType(Generic[P]):
    """A declared event: its stable name, schema version, subject kind and payload model."""

    name: str
    payload: type[P]
    subject_type: str
    version: int
    description: str


_REGISTRY: dict[str, EventType[Any]] = {}


def event_type(
    name: str, payload: type[P], *, subject_type: str, description: str, version: int = 1
) -> EventType[P]:
    """Declare an event type once, in its domain's ``events.py``."""
    domain, _, what = name.partition(".")
    if not domain or not what or name != name.lower() or " " in name:
        raise ValueError(f"event name {name!r} must be '<domain>.<what_happened>'")
    if name in _REGISTRY:
        raise ValueError(f"event {name!r} is declared twice")
    declared = EventType(name, payload, subject_type, version, description)
    _REGISTRY[name] = declared
    return declared


def registered() -> dict[str, EventType[Any]]:
    """Every declared event type by name (domains register on import)."""
    return dict(_REGISTRY)


def lookup(name: str) -> EventType[Any] | None:
    return _REGISTRY.get(name)


@dataclass(frozen=True)
class Event(Generic[P]):
    """One thing that happened, as stored in the outbox."""

    id: uuid.UUID
    name: str
    version: int
    subject_type: str
    subject_id: str
    occurred_at: datetime
    recorded_at: datetime
    payload: P
    context: Context
    seq: int = 0

    def to_json(self) -> dict[str, Any]:
        """The wire form used by the WebSocket stream and the API."""
        return {
            "seq": self.seq,
            "id": str(self.id),
            "name": self.name,
            "version": self.version,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "occurred_at": self.occurred_at.isoformat(),
            "recorded_at": self.recorded_at.isoformat(),
            "payload": self.payload.model_dump(mode="json"),
            "context": self.context.model_dump(mode="json"),
        }

    def live_message(self) -> str:
        """The live feed's message for this event (made once, sent to every screen that wants it)."""
        return json.dumps({"type": "event", "event": self.to_json()}, ensure_ascii=False)


class StoredEvent(Event[Any]):
    """An event read back from the outbox, its payload and context validated on first use rather than on reading.

    Every reader of a process reads every event (the live feed and each durable subscriber), but a subscriber
    handles a few kinds and the live feed sends the stored JSON as it is: validating each payload as it was read
    was the readers' largest cost under a burst. The stored JSON is what `model_dump(mode="json")` wrote, so
    `to_json` answers it without building the models.
    """

    def __init__(self, *, seq: int, id: uuid.UUID, name: str, version: int, subject_type: str,
                 subject_id: str, occurred_at: datetime, recorded_at: datetime, payload_json: dict[str, Any] | str,
                 context_json: dict[str, Any] | str) -> None:
        fields = {"seq": seq, "id": id, "name": name, "version": version, "subject_type": subject_type,
                  "subject_id": subject_id, "occurred_at": occurred_at, "recorded_at": recorded_at,
                  "_payload_json": payload_json, "_context_json": context_json}
        for key, value in fields.items():
            object.__setattr__(self, key, value)  # frozen, like every event

    @property  # Event's field, read-only here and computed on first use
    def payload(self) -> Any:
        found = self.__dict__.get("_payload")
        if found is None:
            declared = lookup(self.name)
            kind = declared.payload if declared is not None and declared.version == self.version else RawPayload
            raw = self._payload_json
            found = kind.model_validate_json(raw) if isinstance(raw, str) else kind.model_validate(raw)
            object.__setattr__(self, "_payload", found)
        return found

    @property
    def context(self) -> Context:
        found = self.__dict__.get("_context")
        if found is None:
            raw = self._context_json
            found = Context.model_validate_json(raw) if isinstance(raw, str) else Context.model_validate(raw)
            object.__setattr__(self, "_context", found)
        return found

    def _envelope(self) -> dict[str, Any]:
        return {"seq": self.seq, "id": str(self.id), "name": self.name, "version": self.version,
                "subject_type": self.subject_type, "subject_id": self.subject_id,
                "occurred_at": self.occurred_at.isoformat(), "recorded_at": self.recorded_at.isoformat()}

    def to_json(self) -> dict[str, Any]:
        return {**self._envelope(), "payload": _decoded(self._payload_json), "context": _decoded(self._context_json)}

    def live_message(self) -> str:
        # The stored texts spliced in as they are: neither decoded nor encoded again.
        envelope = json.dumps(self._envelope(), ensure_ascii=False)
        return (f'{{"type":"event","event":{envelope[:-1]},"payload":{_encoded(self._payload_json)},'
                f'"context":{_encoded(self._context_json)}}}}}')

    _payload_json: dict[str, Any] | str
    _context_json: dict[str, Any] | str


def _decoded(raw: dict[str, Any] | str) -> dict[str, Any]:
    return json.loads(raw) if isinstance(raw, str) else raw


def _encoded(raw: dict[str, Any] | str) -> str:
    return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)


def new_event(
    kind: EventType[P], *, subject_id: str, payload: P, ctx: Context, occurred_at: datetime | None = None
) -> Event[P]:
    now = utcnow()
    if not isinstance(payload, kind.payload):
        raise TypeError(f"{kind.name} takes a {kind.payload.__name__} payload, not {type(payload).__name__}")
    return Event(
        id=new_uuid(),
        name=kind.name,
        version=kind.version,
        subject_type=kind.subject_type,
        subject_id=subject_id,
        occurred_at=occurred_at or now,
        recorded_at=now,
        payload=payload,
        context=ctx,
    )
