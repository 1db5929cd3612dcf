"""Measures over the cube: counts, shares, clearance, rates per 10,000 residents and the АППГ comparison.

Clearance is never defined here: the counts of a slice become ``ClearanceInputs`` and H5's ``legalstats.clearance``
reads them. Periods run by registration date (as the forms count); hour and weekday by the time of commission.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np

from qorgau.legalstats.clearance import READINGS, ClearanceInputs
from qorgau.statistics.cube import Cube, Slice

PER = 10_000
NON_REHABILITATING = "non_rehabilitating"


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YTD = "ytd"
    YEAR = "year"
    CUSTOM = "custom"


class Dimension(StrEnum):
    """What a slice is broken down by (`district` and `inspector` need the district set; the view maps them)."""

    SETTLEMENT = "settlement"
    DISTRICT = "district"
    INSPECTOR = "inspector"
    ARTICLE_GROUP = "article_group"
    OFFENCE_CLASS = "offence_class"
    SEVERITY = "severity"
    STATUS = "status"
    PLACE_TYPE = "place_type"
    KIND = "kind"
    HOUR = "hour"
    WEEKDAY = "weekday"


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def previous_year(self) -> Period:
        """The same period of last year (АППГ); 29 February becomes the 28th."""
        return Period(_year_back(self.first), _year_back(self.last))


def _year_back(day: date) -> date:
    year = day.year - 1
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def resolve(kind: PeriodKind, anchor: date, first: date | None = None, last: date | None = None) -> Period:
    """The period of ``kind`` holding ``anchor`` (year to date ends at the anchor); custom takes first/last."""
    if kind is PeriodKind.CUSTOM:
        if first is None or last is None or first > last:
            raise ValueError("custom period needs first <= last")
        return Period(first, last)
    y, m = anchor.year, anchor.month
    if kind is PeriodKind.MONTH:
        return Period(date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]))
    if kind is PeriodKind.QUARTER:
        start = 3 * ((m - 1) // 3) + 1
        return Period(date(y, start, 1), date(y, start + 2, calendar.monthrange(y, start + 2)[1]))
    if kind is PeriodKind.HALF:
        return Period(date(y, 1, 1), date(y, 6, 30)) if m <= 6 else Period(date(y, 7, 1), date(y, 12, 31))
    if kind is PeriodKind.YTD:
        return Period(date(y, 1, 1), anchor)
    return Period(date(y, 1, 1), date(y, 12, 31))


@dataclass(frozen=True)
class Change:
    """A figure now and in the same period of last year."""

    current: int
    previous: int

    @property
    def delta(self) -> int:
        return self.current - self.previous

    @property
    def percent(self) -> float | None:
        # No percentage against nothing: "+∞ %" helps nobody.
        return round(100.0 * self.delta / self.previous, 2) if self.previous else None


@dataclass(frozen=True)
class Part:
    """One value of a breakdown: its label, counts now and last year, and its share of the total now."""

    label: str | None
    counts: Change
    share: float | None
    rate: float | None = None  # per 10,000 residents of that unit, where its population is known


@dataclass(frozen=True)
class Clearance:
    reading: str
    current: float | None
    previous: float | None
    formula: Mapping[str, str]
    inputs: ClearanceInputs
    previous_inputs: ClearanceInputs


@dataclass(frozen=True)
class Headline:
    period: Period
    previous: Period
    total: Change
    rate: tuple[float | None, float | None]  # per 10,000 now and last year
    population: float | None
    by_class: list[Part]
    by_severity: list[Part]
    by_group: list[Part]
    clearance: list[Clearance]


Where = Mapping[str, Sequence[int]]


def _share(part: int, total: int) -> float | None:
    return round(part / total, 5) if total else None


def rate(count: int, population: float | None) -> float | None:
    """Count per 10,000 residents; None without a population."""
    return round(PER * count / population, 3) if population else None


def breakdown(cube: Cube, now: Slice, before: Slice, column: str) -> list[Part]:
    """Counts per label of a coded column, now and last year, largest first; labels absent in both left out."""
    size = len(cube.vocab[column])
    a, b = now.bincount(column, size), before.bincount(column, size)
    total = int(a.sum())
    parts = [Part(label=cube.vocab[column].labels[code], counts=Change(int(a[code]), int(b[code])),
                  share=_share(int(a[code]), total)) for code in range(size) if a[code] or b[code]]
    return sorted(parts, key=lambda p: (-p.counts.current, -p.counts.previous, p.label or ""))


def clearance_inputs(cube: Cube, found: Slice) -> ClearanceInputs:
    """The counts H5's readings divide, from the statuses (and grounds, and identification) of a slice."""
    status = cube.vocab["status"]
    by_status = found.bincount("status", len(status))

    def count(label: str) -> int:
        code = status.find(label)
        return int(by_status[code]) if code is not None else 0

    terminated = count("terminated")
    ground = cube.vocab["termination"]
    non_rehab = 0
    terminated_code = status.find("terminated")
    if terminated and terminated_code is not None:
        # Grounds of terminated records only, read by their prefix ("non_rehabilitating..." for every such one).
        pairs = found.matrix("status", "termination", (len(status), len(ground)))[terminated_code]
        non_rehab = sum(int(pairs[c]) for c, label in enumerate(ground.labels)
                        if label is not None and label.startswith(NON_REHABILITATING))
    interrupted_code = status.find("interrupted")
    unidentified = 0
    if interrupted_code is not None:
        unidentified = _interrupted_unidentified(found, interrupted_code)
    return ClearanceInputs(
        registered=found.count(), sent_to_court=count("sent_to_court"), terminated_non_rehabilitating=non_rehab,
        terminated_rehabilitating=terminated - non_rehab, interrupted=count("interrupted"),
        interrupted_unidentified=unidentified)


def _interrupted_unidentified(found: Slice, code: int) -> int:
    return sum(int(np.count_nonzero((status == code) & ~identified))
               for status, identified in zip(found.values("status"), found.values("identified"), strict=True))


def clearance_of(inputs: ClearanceInputs, previous: ClearanceInputs, readings: Sequence[str]) -> list[Clearance]:
    """Each asked reading's value now and last year, with its formula."""
    return [Clearance(reading=code, current=READINGS[code].value(inputs), previous=READINGS[code].value(previous),
                      formula=READINGS[code].formula, inputs=inputs, previous_inputs=previous)
            for code in readings]


def headline(cube: Cube, period: Period, *, where: Where | None = None, include_generated: bool = False,
             population: float | None = None, readings: Sequence[str] = tuple(READINGS)) -> Headline:
    """Headline figures of a period with the АППГ comparison."""
    before_period = period.previous_year()
    now = cube.select(period.first, period.last, where, include_generated=include_generated)
    before = cube.select(before_period.first, before_period.last, where, include_generated=include_generated)
    total = Change(now.count(), before.count())
    return Headline(
        period=period, previous=before_period, total=total,
        rate=(rate(total.current, population), rate(total.previous, population)), population=population,
        by_class=breakdown(cube, now, before, "offence_class"),
        by_severity=breakdown(cube, now, before, "severity"),
        by_group=breakdown(cube, now, before, "article_group"),
        clearance=_criminal_clearance(cube, period, before_period, where, include_generated, readings))


def _criminal_clearance(cube: Cube, period: Period, before_period: Period, where: Where | None,
                        include_generated: bool, readings: Sequence[str]) -> list[Clearance]:
    """Clearance counts criminal offences only, as the official forms do: an administrative offence is decided by
    its protocol, not investigated, and would inflate the share (a filter on kind is kept as asked)."""
    if where is None or "kind" not in where:
        code = cube.vocab["kind"].find("criminal")
        where = {**(where or {}), "kind": () if code is None else (code,)}
    now = cube.select(period.first, period.last, where, include_generated=include_generated)
    before = cube.select(before_period.first, before_period.last, where, include_generated=include_generated)
    return clearance_of(clearance_inputs(cube, now), clearance_inputs(cube, before), readings)


def slices(cube: Cube, period: Period, dimension: Dimension, *, where: Where | None = None,
           include_generated: bool = False, populations: Mapping[str, float] | None = None) -> list[Part]:
    """Counts of a period broken down by ``dimension`` (not district→inspector: the view folds that), with АППГ."""
    before_period = period.previous_year()
    now = cube.select(period.first, period.last, where, include_generated=include_generated)
    before = cube.select(before_period.first, before_period.last, where, include_generated=include_generated)
    if dimension in (Dimension.HOUR, Dimension.WEEKDAY):
        size = 24 if dimension is Dimension.HOUR else 7
        a = now.bincount(dimension.value, size + 1, offset=1)[1:]
        b = before.bincount(dimension.value, size + 1, offset=1)[1:]
        total = int(a.sum())
        return [Part(label=str(i), counts=Change(int(a[i]), int(b[i])), share=_share(int(a[i]), total))
                for i in range(size)]
    column = "district" if dimension is Dimension.INSPECTOR else dimension.value
    parts = breakdown(cube, now, before, column)
    if populations:
        parts = [Part(label=p.label, counts=p.counts, share=p.share,
                      rate=rate(p.counts.current, populations.get(p.label or ""))) for p in parts]
    return parts


def heatmap(cube: Cube, period: Period, *, where: Where | None = None,
            include_generated: bool = False) -> list[list[int]]:
    """Offences by weekday (rows, Monday first) and local hour of commission (columns); unknown times left out."""
    found = cube.select(period.first, period.last, where, include_generated=include_generated)
    grid = found.matrix("weekday", "hour", (8, 25), offset=1)[1:, 1:]
    return [[int(v) for v in row] for row in grid]


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    counts: Change


def trend(cube: Cube, first: date, last: date, *, where: Where | None = None,
          include_generated: bool = False) -> list[Month]:
    """Monthly counts from ``first``'s month to ``last``'s month, each with the same month of last year."""
    months: list[Month] = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        period = resolve(PeriodKind.MONTH, date(y, m, 1))
        before = period.previous_year()
        now = cube.select(period.first, period.last, where, include_generated=include_generated).count()
        then = cube.select(before.first, before.last, where, include_generated=include_generated).count()
        months.append(Month(y, m, Change(now, then)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months
