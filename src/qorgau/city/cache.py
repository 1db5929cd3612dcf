"""Per-process caches of what is derived from a stored model (graphs, gazetteer), loaded once per model."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")
Key = tuple[str, int, str]


class ModelCache(Generic[T]):
    """The most recently used models' values, keyed by database, model id and the model's creation time.

    Models are immutable once stored; the creation time tells a new model apart from a deleted one whose
    id SQLite handed out again.
    """

    def __init__(self, loader: Callable[[Session, int], T], size: int = 4) -> None:
        self.loader = loader
        self.size = size
        self._values: OrderedDict[Key, T] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[Key, threading.Lock] = {}

    def get(self, session: Session, model_id: int, version: str) -> T:
        """The cached value, loaded once even when several requests ask for it at the same time."""
        key = (str(session.get_bind().engine.url), model_id, version)
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            gate = self._loading.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = self.loader(session, model_id)
            with self._lock:
                self._values[key] = value
                self._loading.pop(key, None)
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
