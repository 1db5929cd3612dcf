"""Per-process caches of values built from the registry, rebuilt when the registry's revision moves."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qorgau.core.db import Database

T = TypeVar("T")


class Cached(Generic[T]):
    """A value and the revision it was built at; ``key`` is read before ``build`` so the label is never newer."""

    def __init__(self, key: Callable[[Session], Hashable], build: Callable[[Session], T]) -> None:
        self._key = key
        self._build = build
        self._lock = threading.Lock()
        self._value: tuple[Hashable, T] | None = None

    def get(self, session: Session) -> tuple[T, Hashable]:
        key = self._key(session)
        found = self._value
        if found is None or found[0] != key:
            with self._lock:
                found = self._value
                if found is None or found[0] != key:
                    found = self._value = (key, self._build(session))
        return found[1], found[0]


class PerDatabase(Generic[T]):
    """One cache per Database object (tests and benchmarks run several in one process), or per engine for code
    that holds a session but not its Database (the bus's subscribers)."""

    def __init__(self, factory: Callable[[], Cached[T]]) -> None:
        self._factory = factory
        self._caches: weakref.WeakKeyDictionary[Database | Engine, Cached[T]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, db: Database | Engine) -> Cached[T]:
        with self._lock:
            found = self._caches.get(db)
            if found is None:
                found = self._caches[db] = self._factory()
            return found
