"""Decreed calendar transfers shipped with Qorgau (only those whose dates are certain; see ADR 0032)."""

from __future__ import annotations

from datetime import date

# (day, working, reason). The day off this transfer pays for (Friday 3 January 2025) is already in the
# `holidays` package; the working day it moves to is not, so it is shipped here.
TRANSFERS: tuple[tuple[date, bool, str], ...] = (
    (date(2025, 1, 5), True, "Government of Kazakhstan decree on moving days off in 2025: Sunday 5 January is a "
                             "working day, its day off moved to Friday 3 January"),
)
