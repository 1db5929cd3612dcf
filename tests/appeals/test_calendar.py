"""Working-day arithmetic on Kazakhstan's calendar, checked by hand against the 2025 and 2026 calendars."""

from __future__ import annotations

from datetime import date

import pytest

from qorgau.appeals.calendar import WorkCalendar
from qorgau.appeals.seed import TRANSFERS

SHIPPED = WorkCalendar({day: working for day, working, _ in TRANSFERS})


@pytest.mark.parametrize(("registered", "days", "deadline"), [
    # Mon 1 Dec 2025, 16 Dec (Independence Day) off: 2..5 (4), 8..12 (9), 15 (10), 17..19 (13), 22, 23 (15).
    (date(2025, 12, 1), 15, date(2025, 12, 23)),
    # Fri 26 Dec 2025 over New Year: 29, 30, 31 Dec; 1, 2 Jan off; 5, 6 Jan; 7 Jan (Orthodox Christmas) off;
    # 8, 9, 12..16, 19, 20, 21 Jan -> the 15th is Wed 21 Jan 2026.
    (date(2025, 12, 26), 15, date(2026, 1, 21)),
    # Nauryz 2026: Fri 20 Mar; 21..23 Mar holidays (Sat, Sun, Mon), 24 and 25 Mar observed off.
    # Working days after 20 Mar: 26, 27, 30, 31 Mar -> the 3rd is Mon 30 Mar.
    (date(2026, 3, 20), 3, date(2026, 3, 30)),
    # Over a weekend: Fri 4 Dec 2026 + 1 working day is Mon 7 Dec.
    (date(2026, 12, 4), 1, date(2026, 12, 7)),
    # The transferred working Sunday 5 Jan 2025 counts; Fri 3 Jan 2025 (its day off) does not:
    # after Tue 31 Dec 2024: 1, 2, 3 Jan off, 4 Jan Saturday, 5 Jan working -> the 1st is Sun 5 Jan.
    (date(2024, 12, 31), 1, date(2025, 1, 5)),
    # Women's Day on Sat 8 Mar 2025 moves to Mon 10 Mar: Fri 7 Mar + 1 -> Tue 11 Mar.
    (date(2025, 3, 7), 1, date(2025, 3, 11)),
    (date(2025, 3, 7), 0, date(2025, 3, 7)),
])
def test_deadline_in_working_days(registered: date, days: int, deadline: date) -> None:
    assert SHIPPED.add_working_days(registered, days) == deadline


def test_a_decreed_working_saturday_and_a_decreed_day_off() -> None:
    plain = WorkCalendar()
    assert plain.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 7)
    saturday = WorkCalendar({date(2026, 12, 5): True})
    assert saturday.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 5)
    monday_off = WorkCalendar({date(2026, 12, 7): False})
    assert monday_off.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 8)


def test_working_days_between_counts_forward_and_back() -> None:
    cal = WorkCalendar()
    assert cal.working_days_between(date(2026, 12, 7), date(2026, 12, 11)) == 4
    assert cal.working_days_between(date(2026, 12, 11), date(2026, 12, 7)) == -4
    assert cal.working_days_between(date(2026, 12, 11), date(2026, 12, 14)) == 1  # over the weekend
    assert cal.working_days_between(date(2026, 12, 15), date(2026, 12, 17)) == 1  # 16 Dec Independence Day
    assert cal.working_days_between(date(2026, 12, 9), date(2026, 12, 9)) == 0
