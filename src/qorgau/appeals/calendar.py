"""Kazakhstan's working days: weekends, public holidays (the `holidays` package) and decreed overrides."""

# The law's holidays, and the days off that move when a holiday falls on a weekend, come from the `holidays`
# package. The Government also moves days off each year by decree (a Saturday becomes a working day so that a
# bridge day is off); those overrides are rows in `appeal_calendar`, edited by supervisors, and win over both.

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.appeals.models import CalendarOverride

MAX_SCAN_DAYS = 800  # a term of at most 60 + 60 working days never needs more calendar days than this


@cache
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("KZ", years=year).keys())


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: Monday to Friday minus public holidays, then the overrides."""

    overrides: Mapping[date, bool] = field(default_factory=dict)

    def is_working(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5 and day not in _public_holidays(day.year)

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself not counted); ``start`` when days is 0."""
        current, left = start, days
        for _ in range(MAX_SCAN_DAYS):
            if left <= 0:
                return current
            current += timedelta(days=1)
            if self.is_working(current):
                left -= 1
        raise ValueError("no working day found within the scan window")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is before ``start``."""
        if end == start:
            return 0
        step = 1 if end > start else -1
        count, current = 0, start
        while current != end:
            day = current + timedelta(days=step) if step > 0 else current
            if self.is_working(day):
                count += step
            current += timedelta(days=step)
        return count


def load(session: Session) -> WorkCalendar:
    """The calendar with every stored override."""
    rows = session.execute(select(CalendarOverride.day, CalendarOverride.working)).all()
    return WorkCalendar({day: working for day, working in rows})
