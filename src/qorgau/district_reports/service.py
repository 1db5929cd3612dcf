"""The district report's figures: residents, walking coverage, incidents, appeals and satisfaction per district and
inspector for a period of local days. Reads only; the same period over the same data gives the same figures."""

# Districts are those in force at the period's end (the set a report for that period is read against); appeals
# and feedback carry the district of their own time, matched to today's rows by district number, so a
# redistricting inside the period does not lose them. Walking coverage is of today's police points: the model
# keeps no history of posts, which the report's footnote says.

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from qorgau.auth import people as auth_people
from qorgau.city.geometry import contains
from qorgau.core.errors import ValidationFailed
from qorgau.coverage import service as coverage_service
from qorgau.coverage.config import CoverageSettings
from qorgau.district_reports.schemas import (
    DistrictReportFigures,
    DistrictReportRead,
    DistrictReportRow,
    InspectorReportRow,
    ReportThresholds,
)
from qorgau.districts import service as districts_service
from qorgau.feedback import service as feedback_service
from qorgau.feedback.schemas import FeedbackFigures
from qorgau.incidents import queries as incident_queries

if TYPE_CHECKING:
    from qorgau.districts.models import District

MAX_DAYS = 366
MIN_YEAR, MAX_YEAR = 1900, 2999  # beyond these a period is a typo (and the day after 9999-12-31 does not exist)
LOW_COVERAGE_SHARE = 0.5  # fewer than half the residents within the middle walking threshold
LOW_COVERAGE_MINUTES = 10
LOW_SATISFACTION_SHARE = 0.7  # fewer than 70 % satisfied (scores 4–5)
LOW_SATISFACTION_MIN_ANSWERS = 3  # one or two answers are an anecdote, not a flag
INCIDENT_LIMIT = 200_000  # incidents read for a period (years of a town's board)


class AppealCounts(Protocol):
    """What the appeals domain's `figures` gives per (district, inspector)."""

    district_id: int | None
    inspector_id: int | None
    received: int
    answered: int
    answered_on_time: int
    overdue: int
    open: int


@dataclass(frozen=True)
class Period:
    """Local days [start, end] and the UTC instants that bound them."""

    start: date
    end: date
    start_at: datetime
    end_at: datetime  # the start of the day after ``end``


def period(start: date, end: date, zone: ZoneInfo) -> Period:
    """The period of local days; 422 `district_reports.bad_period` when reversed or longer than a year."""
    if end < start or (end - start).days + 1 > MAX_DAYS or start.year < MIN_YEAR or end.year > MAX_YEAR:
        raise ValidationFailed("district_reports.bad_period", params={"max_days": MAX_DAYS},
                               errors=[{"field": "end", "code": "district_reports.bad_period"}])
    return Period(start, end, datetime.combine(start, time(), zone), datetime.combine(end + timedelta(days=1),
                                                                                      time(), zone))


def appeal_figures(session: Session, p: Period, *, include_simulated: bool) -> Sequence[AppealCounts]:
    """The appeals domain's figures, or none on a tree without that domain."""
    try:
        appeals = importlib.import_module("qorgau.appeals.service")
    except ImportError:
        return []
    if not hasattr(appeals, "figures"):
        return []
    rows: Sequence[AppealCounts] = appeals.figures(session, start=p.start_at, end=p.end_at,
                                                   include_simulated=include_simulated)
    return rows


@dataclass
class _Sum:
    received: int = 0
    answered: int = 0
    on_time: int = 0
    overdue: int = 0
    open: int = 0

    def add(self, row: AppealCounts) -> None:
        self.received += row.received
        self.answered += row.answered
        self.on_time += row.answered_on_time
        self.overdue += row.overdue
        self.open += row.open


def _figures(incidents: int | None, appeals: _Sum, feedback: FeedbackFigures) -> DistrictReportFigures:
    return DistrictReportFigures(
        incidents=incidents, appeals_received=appeals.received, appeals_answered=appeals.answered,
        appeals_on_time=appeals.on_time, appeals_overdue=appeals.overdue, appeals_open=appeals.open,
        on_time_share=round(appeals.on_time / appeals.answered, 4) if appeals.answered else None,
        feedback_requests=feedback.requests, feedback_answers=feedback.answers, mean_score=feedback.mean_score,
        satisfied_share=feedback.satisfied_share, response_rate=feedback.response_rate)


def _incident_counts(session: Session, districts: Sequence[District], p: Period, *,
                     include_simulated: bool) -> list[int]:
    """Incidents received in the period counted where they happened (the first district containing the point)."""
    points = [(i.lon, i.lat) for i in incident_queries.changed_since(session, p.start_at, limit=INCIDENT_LIMIT)
              if i.lon is not None and i.lat is not None and p.start_at <= i.received_at < p.end_at
              and (include_simulated or not i.simulated)]
    counts = [0] * len(districts)
    if not points:
        return counts
    lon = [x for x, _ in points]
    lat = [y for _, y in points]
    taken = [False] * len(points)
    for k, district in enumerate(districts):
        inside = contains(district.geometry, lon, lat)
        for j, hit in enumerate(inside):
            if hit and not taken[j]:
                taken[j] = True
                counts[k] += 1
    return counts


def _walk_shares(session: Session, settings: CoverageSettings) -> tuple[list[int], dict[int, list[float | None]],
                                                                          list[float | None]]:
    """Walking thresholds, each district number's share within each, and the town's."""
    found = coverage_service.coverage(session, settings=settings)
    levels = sorted(found.walk, key=lambda level: level.minutes)
    if not found.points:  # no police point in the registry yet: coverage is unknown, not zero (and not a flag)
        return [level.minutes for level in levels], {}, [None] * len(levels)
    by_number: dict[int, list[float | None]] = {}
    for k, level in enumerate(levels):
        for share in coverage_service.district_shares(session, level):
            row = by_number.setdefault(share.number, [None] * len(levels))
            row[k] = round(share.share.share, 4) if share.share.residents else None
    return ([level.minutes for level in levels], by_number,
            [round(level.overall.share, 4) for level in levels])


class _Numbers:
    """District id → number, for ids of earlier versions too (appeals and feedback keep the id of their time)."""

    def __init__(self, session: Session, districts: Iterable[District]) -> None:
        self._session = session
        self._known = {d.id: d.number for d in districts}

    def of(self, district_id: int | None) -> int | None:
        if district_id is None:
            return None
        if district_id not in self._known:
            self._known[district_id] = districts_service.get_district(self._session, district_id).number
        return self._known[district_id]


def _thresholds(norm: int) -> ReportThresholds:
    return ReportThresholds(residents_norm=norm, low_coverage_share=LOW_COVERAGE_SHARE,
                      low_coverage_minutes=LOW_COVERAGE_MINUTES, low_satisfaction_share=LOW_SATISFACTION_SHARE,
                      low_satisfaction_min_answers=LOW_SATISFACTION_MIN_ANSWERS)


def _quality_flags(figures: DistrictReportFigures) -> list[str]:
    flags = []
    if figures.appeals_overdue:
        flags.append("overdue_appeals")
    if (figures.feedback_answers >= LOW_SATISFACTION_MIN_ANSWERS and figures.satisfied_share is not None
            and figures.satisfied_share < LOW_SATISFACTION_SHARE):
        flags.append("low_satisfaction")
    return flags


def build(session: Session, p: Period, *, norm: int, coverage: CoverageSettings,
          include_simulated: bool = False) -> DistrictReportRead:
    """Every district of the set in force at the period's end and every inspector, with the town's totals."""
    district_set = districts_service.current(session, p.end_at)
    districts = sorted(district_set.districts, key=lambda d: d.number) if district_set else []
    numbers = _Numbers(session, districts)
    appeals = appeal_figures(session, p, include_simulated=include_simulated)
    feedback = feedback_service.figures(session, start=p.start_at, end=p.end_at, include_simulated=include_simulated)
    minutes, walk, town_walk = _walk_shares(session, coverage)
    middle = minutes.index(LOW_COVERAGE_MINUTES) if LOW_COVERAGE_MINUTES in minutes else len(minutes) // 2
    incidents = _incident_counts(session, districts, p, include_simulated=include_simulated)

    district_rows = []
    for district, incident_count in zip(districts, incidents, strict=True):
        read = districts_service.read_district(session, district, norm=norm)
        mine = _Sum()
        for row in appeals:
            if numbers.of(row.district_id) == district.number:
                mine.add(row)
        fb = feedback_service.combine([f for f in feedback if numbers.of(f.district_id) == district.number])
        figures = _figures(incident_count, mine, fb)
        shares = walk.get(district.number, [None] * len(minutes))
        flags = ["over_norm"] if read.over_norm else []
        if minutes and shares[middle] is not None and (shares[middle] or 0.0) < LOW_COVERAGE_SHARE:
            flags.append("low_coverage")
        district_rows.append(DistrictReportRow(
            **figures.model_dump(), district_id=district.id, number=district.number, name_kk=district.name_kk,
            name_ru=district.name_ru, name_en=district.name_en, inspectors=[i.name for i in read.inspectors],
            residents=read.residents, residents_per_inspector=read.residents_per_inspector, walk_shares=shares,
            flags=flags + _quality_flags(figures)))

    total = _Sum()
    for row in appeals:
        total.add(row)
    total_residents = round(sum(d.residents for d in districts), 1)
    return DistrictReportRead(
        start=p.start, end=p.end, set_version=district_set.version if district_set else None,
        include_simulated=include_simulated, walk_minutes=minutes, thresholds=_thresholds(norm),
        districts=district_rows,
        inspectors=_inspector_rows(session, districts, appeals, feedback, norm=norm),
        total=_figures(sum(incidents), total, feedback_service.combine(feedback)),
        total_residents=total_residents, total_walk_shares=town_walk)


def _inspector_rows(session: Session, districts: Sequence[District], appeals: Sequence[AppealCounts],
                    feedback: Sequence[FeedbackFigures], *, norm: int) -> list[InspectorReportRow]:
    """Every inspector of the districts, and anyone else appeals or feedback were routed to in the period."""
    residents: dict[int | None, float] = {}
    numbers: dict[int | None, list[int]] = {}
    for district in districts:
        ids = [i.user_id for i in district.inspectors]
        for uid in ids:
            residents[uid] = residents.get(uid, 0.0) + district.residents / len(ids)
            numbers.setdefault(uid, []).append(district.number)
    everyone: set[int | None] = set(residents) | {r.inspector_id for r in appeals} | {
        f.inspector_id for f in feedback}
    names = auth_people.people(session, everyone)
    rows = []
    for user_id in sorted(everyone, key=lambda u: (u is None, u or 0)):
        mine = _Sum()
        for row in appeals:
            if row.inspector_id == user_id:
                mine.add(row)
        figures = _figures(None, mine, feedback_service.combine([f for f in feedback if f.inspector_id == user_id]))
        served = round(residents.get(user_id, 0.0), 1)
        flags = ["over_norm"] if user_id is not None and served > norm else []
        rows.append(InspectorReportRow(
            **figures.model_dump(), user_id=user_id,
            name=names[user_id].name if user_id is not None and user_id in names else "",
            district_numbers=numbers.get(user_id, []), residents=served, flags=flags + _quality_flags(figures)))
    return rows
