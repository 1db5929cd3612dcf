"""Time in one place: stored in UTC, shown and evaluated in the configured local zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Aware current time in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Aware UTC datetime; naive values from SQLite are taken as UTC, which is how they were stored."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_local(value: datetime, zone: ZoneInfo) -> datetime:
    """The moment as a person in ``zone`` reads it."""
    return as_utc(value).astimezone(zone)
