"""The offence report in the department's tabular shape: totals, article groups, districts, settlements,
severity and clearance, each beside the same period of last year (АППГ), rendered by core.reports.

Figures come from the registry's rows only: drafts made from incidents are not registered yet and are left out
(they reconcile with their ЕРДР number, so an offence is counted once), and generated records count only when
asked for. Both count by registration date, and clearance reads the status each criminal offence of the period
has now, the way the desk's statistics cube reads it, so a report and the desk show the same figures. The same
query always gives the same bytes.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from qorgau.core.reports import Column, Report, Section, to_pdf, to_xlsx
from qorgau.districts import service as district_service
from qorgau.legalstats.clearance import DEFAULT_READING, READINGS, ClearanceInputs
from qorgau.offences.models import Offence
from qorgau.statistics.report_words import group_name, words

ReportFormat = Literal["xlsx", "pdf"]
MEDIA_TYPES: Mapping[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# Termination grounds are coded with their kind first ("non_rehabilitating_..."), as the statistics cube reads
# them, so the report and the desk count "окончено" alike.
NON_REHABILITATING = "non_rehabilitating"
CRIMINAL_CLASSES: frozenset[str] = frozenset({"crime", "misdemeanour"})
SEVERITIES: tuple[str, ...] = ("minor", "medium", "grave", "especially_grave")
CURRENT, PREVIOUS = "current", "previous"


@dataclass(frozen=True)
class ReportQuery:
    """What the report covers: inclusive days, optional filters, and whether generated records count."""

    first: date
    last: date
    district_id: int | None = None
    settlement: str | None = None
    article_group: str | None = None
    include_generated: bool = False
    reading: str = DEFAULT_READING

    @property
    def previous(self) -> tuple[date, date]:
        """АППГ: the same days a year earlier; 29 February becomes the 28th (as the desk's measures do)."""
        return _year_earlier(self.first), _year_earlier(self.last)


def _year_earlier(day: date) -> date:
    year = day.year - 1
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


@dataclass
class Counts:
    """Registered offences of one period, by every dimension the report prints; ``decisions`` counts the status
    of the period's criminal offences (a cohort, as the desk's figures read it)."""

    by_class: Counter[str] = field(default_factory=Counter)
    by_group: Counter[str] = field(default_factory=Counter)
    by_district: Counter[int | None] = field(default_factory=Counter)
    by_settlement: Counter[str | None] = field(default_factory=Counter)
    by_severity: Counter[str | None] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_class.values())

    @property
    def criminal(self) -> int:
        return self.by_class["crime"] + self.by_class["misdemeanour"]

    def clearance_inputs(self) -> ClearanceInputs:
        return ClearanceInputs(
            registered=self.criminal, sent_to_court=self.decisions["sent_to_court"],
            terminated_non_rehabilitating=self.decisions["terminated_non_rehabilitating"],
            terminated_rehabilitating=self.decisions["terminated_rehabilitating"],
            interrupted=self.decisions["interrupted"],
            interrupted_unidentified=self.decisions["interrupted_unidentified"])


@dataclass(frozen=True)
class Figures:
    """Both periods' counts with the names and populations the report prints them with."""

    query: ReportQuery
    current: Counts
    previous: Counts
    district_names: Mapping[int, str]
    district_residents: Mapping[int, float]
    population: float | None


def _filters(query: ReportQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Offence.draft.is_(False)]
    if not query.include_generated:
        conditions.append(Offence.source != "generated")
    if query.district_id is not None:
        conditions.append(Offence.district_id == query.district_id)
    if query.settlement is not None:
        conditions.append(Offence.settlement == query.settlement)
    if query.article_group is not None:
        conditions.append(Offence.article_group == query.article_group)
    return conditions


def _period_of(column: InstrumentedAttribute[date] | InstrumentedAttribute[date | None],
               query: ReportQuery) -> ColumnElement[str | None]:
    previous_first, previous_last = query.previous
    return case(
        (column.between(query.first, query.last), CURRENT),
        (column.between(previous_first, previous_last), PREVIOUS),
        else_=None,
    )


def gather(session: Session, query: ReportQuery) -> Figures:
    """Counts both periods in one grouped query and looks up the names and residents of the districts."""
    counts = {CURRENT: Counts(), PREVIOUS: Counts()}
    previous_first, previous_last = query.previous
    in_either = or_(Offence.registered_on.between(query.first, query.last),
                    Offence.registered_on.between(previous_first, previous_last))
    period = _period_of(Offence.registered_on, query)
    identified = Offence.persons_identified > 0
    dimensions = (period, Offence.offence_class, Offence.article_group, Offence.district_id, Offence.settlement,
                  Offence.severity, Offence.status, Offence.termination_ground, identified)
    grouped = select(*dimensions, func.count()).where(in_either, *_filters(query)).group_by(*dimensions)
    for which, offence_class, group, district_id, settlement, severity, status, ground, known, number in (
            session.execute(grouped)):
        if which is None:
            continue
        bucket = counts[which]
        bucket.by_class[offence_class] += number
        bucket.by_group[group] += number
        bucket.by_district[district_id] += number
        bucket.by_settlement[settlement] += number
        if offence_class in CRIMINAL_CLASSES:
            bucket.by_severity[severity] += number
            bucket.decisions[_decision(status, ground)] += number
            if status == "interrupted" and not known:
                bucket.decisions["interrupted_unidentified"] += number
    names, residents = _districts(session, counts, query.district_id)
    if query.district_id is not None:
        population = residents.get(query.district_id)
    elif query.settlement is not None:
        population = None  # a settlement's own population is not split out of the districts here
    else:
        population = _population(session)
    return Figures(query=query, current=counts[CURRENT], previous=counts[PREVIOUS], district_names=names,
                   district_residents=residents, population=population)


def _decision(status: str, ground: str | None) -> str:
    if status == "terminated":
        return ("terminated_non_rehabilitating" if ground is not None and ground.startswith(NON_REHABILITATING)
                else "terminated_rehabilitating")
    return status


def _districts(session: Session, counts: Mapping[str, Counts],
               chosen: int | None) -> tuple[dict[int, str], dict[int, float]]:
    """"№ 3 Name" and residents of every district a figure names (districts of older versions included) and of
    the one the report is filtered to (an unknown one is a 404)."""
    ids = sorted({key for bucket in counts.values() for key in bucket.by_district if key is not None}
                 | ({chosen} if chosen is not None else set()))
    names: dict[int, str] = {}
    residents: dict[int, float] = {}
    for district_id in ids:
        district = district_service.get_district(session, district_id)
        names[district_id] = f"№ {district.number} {district.name_ru}|{district.name_kk}|{district.name_en}"
        residents[district_id] = district.residents
    return names, residents


def _population(session: Session) -> float | None:
    """Residents of the district set in force (the whole area), or None without districts."""
    in_force = district_service.current(session)
    if in_force is None:
        return None
    return sum(district.residents for district in in_force.districts) or None


# ---------------------------------------------------------------- the report's tables


def _change(current: float | None, previous: float | None) -> tuple[float | None, float | None]:
    if current is None or previous is None:
        return None, None
    return current - previous, ((current - previous) / previous if previous else None)


def _compare_row(label: str, current: float | None, previous: float | None, **extra: object) -> dict[str, object]:
    absolute, relative = _change(current, previous)
    return {"label": label, "current": current, "previous": previous, "change": absolute, "change_pct": relative,
            **extra}


def _rate(count: int, residents: float | None) -> float | None:
    return count / residents * 10_000 if residents else None


def _name(packed: str, language: str) -> str:
    ru, kk, en = packed.split("|")
    return {"ru": ru, "kk": kk, "en": en}[language]


def _period_text(first: date, last: date) -> str:
    return f"{first:%d.%m.%Y} – {last:%d.%m.%Y}"


def build(figures: Figures, language: str) -> Report:
    """The report of ``figures`` in ``language``: pure, so the same figures always give the same report."""
    w = words(language)
    query, now, before = figures.query, figures.current, figures.previous
    previous_first, previous_last = query.previous
    compare = [
        Column("label", w["c_indicator"]),
        Column("current", w["c_current"].format(year=query.last.year), "int"),
        Column("previous", w["c_previous"].format(year=previous_last.year), "int"),
        Column("change", w["c_change"], "int"),
        Column("change_pct", w["c_change_pct"], "percent"),
    ]
    reading = READINGS[query.reading]
    inputs_now, inputs_before = now.clearance_inputs(), before.clearance_inputs()
    clearance_now, clearance_before = reading.value(inputs_now), reading.value(inputs_before)
    clearance_label = w["clearance"].format(reading=reading.names[language])
    totals_rows = [
        _compare_row(w["registered"], now.total, before.total),
        _compare_row(w["criminal"], now.criminal, before.criminal),
        _compare_row(w["crime"], now.by_class["crime"], before.by_class["crime"]),
        _compare_row(w["misdemeanour"], now.by_class["misdemeanour"], before.by_class["misdemeanour"]),
        _compare_row(w["administrative"], now.by_class["administrative"], before.by_class["administrative"]),
        _compare_row(w["completed"], inputs_now.completed, inputs_before.completed),
    ]
    rate_columns = [*compare[:1], Column("current", compare[1].title, "float"),
                    Column("previous", compare[2].title, "float"), Column("change", w["c_change"], "float"),
                    compare[4]]
    rates = Section(w["rate"], rate_columns, [_compare_row(
        w["rate"], _rate(now.criminal, figures.population), _rate(before.criminal, figures.population))])
    groups = sorted(set(now.by_group) | set(before.by_group), key=lambda g: (-now.by_group[g], g))
    share = Column("share", w["c_share"], "percent")
    group_section = Section(w["s_groups"], [Column("label", w["c_group"]), *compare[1:], share], [
        _compare_row(group_name(g, language), now.by_group[g], before.by_group[g],
                     share=now.by_group[g] / now.total if now.total else None) for g in groups],
        totals={"current": now.total, "previous": before.total, **_totals_change(now.total, before.total)})
    district_keys = sorted(set(now.by_district) | set(before.by_district),
                           key=lambda d: (d is None, _name(figures.district_names[d], language) if d else ""))
    district_section = Section(w["s_districts"], [Column("label", w["c_district"]), *compare[1:],
                                                  Column("rate", w["c_rate"], "float")], [
        _compare_row(_name(figures.district_names[d], language) if d is not None else w["no_district"],
                     now.by_district[d], before.by_district[d],
                     rate=_rate(now.by_district[d], figures.district_residents.get(d)) if d is not None else None)
        for d in district_keys])
    settlements = sorted(set(now.by_settlement) | set(before.by_settlement), key=lambda s: (s is None, s or ""))
    settlement_section = Section(w["s_settlements"], [Column("label", w["c_settlement"]), *compare[1:]], [
        _compare_row(s if s is not None else w["no_settlement"], now.by_settlement[s], before.by_settlement[s])
        for s in settlements])
    severity_keys: list[str | None] = [*SEVERITIES, None]
    severity_section = Section(w["s_severity"], [Column("label", w["c_severity"]), *compare[1:], share], [
        _compare_row(w[s] if s is not None else w["no_severity"], now.by_severity[s], before.by_severity[s],
                     share=now.by_severity[s] / now.criminal if now.criminal else None)
        for s in severity_keys if now.by_severity[s] or before.by_severity[s] or s is not None],
        totals={"current": now.criminal, "previous": before.criminal,
                **_totals_change(now.criminal, before.criminal)})
    clearance_rows = [
        _compare_row(w[key], getattr(inputs_now, key), getattr(inputs_before, key))
        for key in ("sent_to_court", "terminated_non_rehabilitating", "interrupted", "completed")]
    clearance_section = Section(w["s_clearance"], compare, clearance_rows)
    points = None if clearance_now is None or clearance_before is None else (clearance_now - clearance_before) * 100
    clearance_share = Section(clearance_label, [
        Column("label", w["c_indicator"]), Column("current", compare[1].title, "percent"),
        Column("previous", compare[2].title, "percent"), Column("change", w["c_change"], "float")],
        [{"label": clearance_label, "current": clearance_now, "previous": clearance_before, "change": points}],
        note=w["points_note"])
    formula = w["clearance_note"].format(reading=reading.names[language], formula=reading.formula[language])
    area = (_name(figures.district_names[query.district_id], language)
            if query.district_id is not None and query.district_id in figures.district_names
            else query.settlement or w["area_all"])
    return Report(
        title=w["title"].format(period=_period_text(query.first, query.last)),
        subtitle=w["subtitle"].format(area=area),
        period=_period_text(query.first, query.last),
        sections=[Section(w["s_totals"], compare, totals_rows), rates, group_section, district_section,
                  settlement_section, severity_section, clearance_section, clearance_share],
        footnotes=[w["appg_period"].format(period=_period_text(previous_first, previous_last)),
                   w["generated_included"] if query.include_generated else w["generated_excluded"], formula],
        language=language, landscape=True)


def _totals_change(current: int, previous: int) -> dict[str, object]:
    absolute, relative = _change(current, previous)
    return {"change": absolute, "change_pct": relative}


def render(report: Report, form: ReportFormat) -> bytes:
    """The report's file: XLSX or PDF, the same bytes for the same report."""
    return to_xlsx(report) if form == "xlsx" else to_pdf(report)

