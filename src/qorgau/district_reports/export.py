"""The district report as a department-style document (core.reports): XLSX or PDF in kk, ru or en."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Literal

from qorgau.core.reports import Column, Report, Section, to_pdf, to_xlsx
from qorgau.district_reports.schemas import DistrictReportFigures, DistrictReportRead
from qorgau.district_reports.words import WORDS

Language = Literal["kk", "ru", "en"]
Format = Literal["xlsx", "pdf"]
MEDIA_TYPES: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _figure_columns(w: dict[str, str]) -> list[Column]:
    return [
        Column("appeals_received", w["received"], "int"), Column("appeals_answered", w["answered"], "int"),
        Column("appeals_on_time", w["on_time"], "int"), Column("appeals_overdue", w["overdue"], "int"),
        Column("appeals_open", w["open"], "int"), Column("on_time_share", w["on_time_share"], "percent"),
        Column("feedback_requests", w["requests"], "int"), Column("feedback_answers", w["answers"], "int"),
        Column("mean_score", w["mean"], "float", 2), Column("satisfied_share", w["satisfied"], "percent"),
        Column("response_rate", w["response"], "percent"),
    ]


def _flags(flags: list[str], w: dict[str, str]) -> str:
    return ", ".join(w[f"flag.{flag}"] for flag in flags)


def _figures(figures: DistrictReportFigures) -> dict[str, object]:
    return figures.model_dump()


def _name(row_names: dict[str, str], language: Language) -> str:
    return row_names[f"name_{language}"] or row_names["name_ru"]


def build_report(data: DistrictReportRead, language: Language, *, walk_speed_kmh: float) -> Report:
    """The sections a department report has: districts with the town's total, then inspectors."""
    w = WORDS[language]
    walk_columns = [Column(f"walk_{m}", w["walk"].format(minutes=m), "percent") for m in data.walk_minutes]
    head = [Column("number", w["number"], "int"), Column("name", w["district"])]
    people_columns = [
        *head, Column("inspectors", w["inspectors_col"]), Column("residents", w["residents"], "int"),
        Column("residents_per_inspector", w["per_inspector"], "int"), *walk_columns,
        Column("incidents", w["incidents"], "int"), Column("flags", w["flags"]),
    ]
    service_columns = [*head, *_figure_columns(w)]
    district_rows: list[dict[str, object]] = []
    for row in data.districts:
        names = {"name_kk": row.name_kk, "name_ru": row.name_ru, "name_en": row.name_en}
        values = {**_figures(row), "number": row.number, "name": _name(names, language),
                  "inspectors": ", ".join(row.inspectors), "residents": row.residents,
                  "residents_per_inspector": row.residents_per_inspector, "flags": _flags(row.flags, w)}
        values.update({f"walk_{m}": s for m, s in zip(data.walk_minutes, row.walk_shares, strict=True)})
        district_rows.append(values)
    totals: dict[str, object] = {**_figures(data.total), "number": None, "name": w["town"],
                                 "residents": data.total_residents}
    totals.update({f"walk_{m}": s for m, s in zip(data.walk_minutes, data.total_walk_shares, strict=True)})
    inspector_columns = [
        Column("name", w["inspector"]), Column("districts", w["districts_of"]),
        Column("residents", w["residents"], "int"), *_figure_columns(w), Column("flags", w["flags"]),
    ]
    inspector_rows = [{**_figures(row), "name": row.name or w["unassigned"],
                       "districts": ", ".join(str(n) for n in row.district_numbers), "residents": row.residents,
                       "flags": _flags(row.flags, w)} for row in data.inspectors]
    footnotes = [w["note.districts"].format(version=data.set_version or "—", norm=data.thresholds.residents_norm),
                 w["note.coverage"].format(speed=walk_speed_kmh), w["note.period"]]
    if data.include_simulated:
        footnotes.append(w["note.simulated"])
    return Report(
        title=w["title"], subtitle=w["subtitle"], period=f"{data.start.isoformat()} — {data.end.isoformat()}",
        sections=[Section(f"{w['districts']}: {w['part.people']}", people_columns, district_rows, totals=totals),
                  Section(f"{w['districts']}: {w['part.service']}", service_columns, district_rows, totals=totals),
                  Section(w["inspectors"], inspector_columns, inspector_rows)],
        footnotes=footnotes, language=language, landscape=True,
        # Dated by the period, not the clock: the same period's report is the same file.
        created=datetime.combine(data.end, time(23, 59, 59), UTC))


def render(data: DistrictReportRead, *, fmt: Format, language: Language, walk_speed_kmh: float) -> bytes:
    report = build_report(data, language, walk_speed_kmh=walk_speed_kmh)
    return to_xlsx(report) if fmt == "xlsx" else to_pdf(report)


def filename(data: DistrictReportRead, fmt: Format, language: Language) -> str:
    return f"district-report-{data.start.isoformat()}-{data.end.isoformat()}-{language}.{fmt}"
