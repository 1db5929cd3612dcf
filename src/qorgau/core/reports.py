"""Tabular reports rendered to XLSX (openpyxl) and PDF (fpdf2), byte for byte reproducible.

A report is a title, a period and sections; each section is a table of typed columns with an optional
totals row. The same ``Report`` always gives the same bytes: workbook and PDF dates come from
``Report.created`` (a constant by default), zip entries carry a fixed timestamp, and the PDF's file
identifier is derived from its content. Text is drawn with an embedded DejaVu Sans so Kazakh and Russian
letters render without fonts on the reader's machine.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from fpdf import FPDF
from fpdf.enums import TableCellFillMode
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FONTS_DIR = Path(__file__).with_name("report_fonts")
# A fixed instant for reports that do not say when they were made: reproducibility beats a wall clock.
DEFAULT_CREATED = datetime(2000, 1, 1, tzinfo=UTC)

ColumnKind = Literal["text", "int", "float", "percent"]

# The engine's own few words (the totals row, page numbers); everything else comes in with the Report.
_WORDS: dict[str, dict[str, str]] = {
    "ru": {"total": "Итого", "page": "Стр. {page} из {pages}", "period": "Период"},
    "kk": {"total": "Барлығы", "page": "{pages} беттің {page}-беті", "period": "Кезең"},
    "en": {"total": "Total", "page": "Page {page} of {pages}", "period": "Period"},
}


@dataclass(frozen=True)
class Column:
    """One column: ``percent`` values are shares (0.25 is shown as 25 %), ``digits`` after the point."""

    key: str
    title: str
    kind: ColumnKind = "text"
    digits: int = 1


@dataclass(frozen=True)
class Section:
    """A table: rows map column keys to values (a missing key or None is an empty cell)."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, object]]
    totals: Mapping[str, object] | None = None
    note: str = ""


@dataclass(frozen=True)
class Report:
    """A whole report; ``created`` is written into both files' metadata (fixed by default)."""

    title: str
    subtitle: str
    period: str
    sections: Sequence[Section]
    footnotes: Sequence[str] = ()
    language: str = "ru"
    landscape: bool = False
    created: datetime = DEFAULT_CREATED
    author: str = "Qorgau"


def _words(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["en"])


def _totals_row(section: Section, language: str) -> dict[str, object] | None:
    """The totals with the first text column labelled, unless the caller labelled it already."""
    if section.totals is None:
        return None
    row = dict(section.totals)
    first = section.columns[0] if section.columns else None
    if first is not None and first.kind == "text" and row.get(first.key) in (None, ""):
        row[first.key] = _words(language)["total"]
    return row


# ---------------------------------------------------------------- XLSX


def _excel_format(column: Column) -> str | None:
    decimals = "." + "0" * column.digits if column.digits > 0 else ""
    if column.kind == "int":
        return "#,##0"
    if column.kind == "float":
        return "#,##0" + decimals
    if column.kind == "percent":
        return "0" + decimals + "%"
    return None


def _excel_value(value: object) -> int | float | str | None:
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)


def _write_table(sheet: Worksheet, section: Section, start_row: int, language: str) -> int:
    """Writes a section's header, rows and totals from ``start_row``; returns the next free row."""
    bold = Font(bold=True)
    for index, column in enumerate(section.columns, start=1):
        cell = sheet.cell(row=start_row, column=index, value=column.title)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    row_number = start_row
    body: list[tuple[Mapping[str, object], bool]] = [(row, False) for row in section.rows]
    totals = _totals_row(section, language)
    if totals is not None:
        body.append((totals, True))
    for values, is_total in body:
        row_number += 1
        for index, column in enumerate(section.columns, start=1):
            cell = sheet.cell(row=row_number, column=index, value=_excel_value(values.get(column.key)))
            number_format = _excel_format(column)
            if number_format is not None:
                cell.number_format = number_format
            if is_total:
                cell.font = bold
    return row_number + 1


def _set_widths(sheet: Worksheet, section: Section) -> None:
    for index, column in enumerate(section.columns, start=1):
        longest = max(
            [min(len(column.title), 30)] + [len(str(row.get(column.key, ""))) for row in section.rows],
            default=8,
        )
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(longest + 2, 50))


_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, index: int, used: set[str]) -> str:
    """Excel's sheet names: at most 31 characters, some forbidden, unique."""
    base = _SHEET_NAME_FORBIDDEN.sub(" ", title).strip() or f"{index}"
    name = base[:31]
    suffix = 2
    while name.lower() in used:
        tail = f" ({suffix})"
        name = base[: 31 - len(tail)] + tail
        suffix += 1
    used.add(name.lower())
    return name


def _fix_zip_times(data: bytes, created: datetime) -> bytes:
    """Re-packs the workbook with fixed entry timestamps and the modified date equal to the created one."""
    stamp = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    date_time = max(created.astimezone(UTC).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time into dcterms:modified whatever the properties say.
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    """The report as a workbook: a cover sheet, then one sheet per section with a frozen header."""
    workbook = Workbook()
    cover = workbook.worksheets[0]  # a new workbook always has its first sheet
    words = _words(report.language)
    cover.title = _sheet_name(report.title, 0, set())
    used = {cover.title.lower()}
    cover["A1"] = report.title
    cover["A1"].font = Font(bold=True, size=14)
    cover["A2"] = report.subtitle
    cover["A3"] = f"{words['period']}: {report.period}"
    for offset, footnote in enumerate(report.footnotes):
        cover.cell(row=5 + offset, column=1, value=footnote)
    cover.column_dimensions["A"].width = 100
    for index, section in enumerate(report.sections, start=1):
        sheet = workbook.create_sheet(_sheet_name(section.title, index, used))
        sheet["A1"] = section.title
        sheet["A1"].font = Font(bold=True, size=12)
        header_row = 3 if section.note else 2
        if section.note:
            sheet["A2"] = section.note
        _write_table(sheet, section, header_row, report.language)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        _set_widths(sheet, section)
    naive_created = report.created.astimezone(UTC).replace(tzinfo=None)
    workbook.properties.created = naive_created
    workbook.properties.modified = naive_created
    workbook.properties.creator = report.author
    workbook.properties.title = report.title
    workbook.properties.language = report.language
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fix_zip_times(buffer.getvalue(), report.created)


# ---------------------------------------------------------------- PDF


def format_value(value: object, column: Column, language: str) -> str:
    """A value as the PDF shows it: grouped thousands, fixed decimals, shares as percent."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or column.kind == "text":
        return str(value)
    if column.kind == "int":
        text = f"{round(value):,}"
    elif column.kind == "percent":
        text = f"{value * 100:,.{column.digits}f} %"
    else:
        text = f"{value:,.{column.digits}f}"
    if language == "en":
        return text
    # Russian and Kazakh write a decimal comma and group thousands with a (no-break) space.
    return text.replace(",", "\u00a0").replace(".", ",")


class _ReportPdf(FPDF):
    """FPDF with the report's page-number footer."""

    def __init__(self, report: Report) -> None:
        super().__init__(orientation="L" if report.landscape else "P", unit="mm", format="A4")
        self._page_words = _words(report.language)["page"]

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        text = self._page_words.format(page=self.page_no(), pages="{nb}")
        self.cell(0, 6, text, align="C")


TEXT_COLUMN_MAX_MM = 55.0  # a long text column wraps rather than squeezing the numbers beside it
CELL_PADDING_MM = 4.0
HEADER_PT = 7.0  # headers a point smaller than the cells: wide tables keep their header words whole


def _column_widths(pdf: FPDF, section: Section, language: str) -> tuple[float, ...]:
    """Proportional widths: no header word (bold) or number is ever split; long text columns wrap."""
    pdf.set_font("DejaVu", style="B", size=HEADER_PT)
    headers = [max((pdf.get_string_width(word) for word in column.title.split()), default=0.0)
               for column in section.columns]
    pdf.set_font("DejaVu", size=8)
    widths: list[float] = []
    floors: list[float] = []  # what a column can shrink to: its widest header word, or 20 mm of wrapped text
    for column, header in zip(section.columns, headers, strict=True):
        cells = [pdf.get_string_width(format_value(row.get(column.key), column, language)) for row in section.rows]
        content = max([8.0, *cells])
        if column.kind == "text":
            content = min(content, TEXT_COLUMN_MAX_MM)
        widths.append(max(header, content) + CELL_PADDING_MM)
        floors.append(max(header, 20.0 if column.kind == "text" else content) + CELL_PADDING_MM)
    # Too wide for the page: take the excess from text columns first (they wrap); fpdf2 scales whatever is left.
    excess = sum(widths) - pdf.epw
    slack = sum(w - f for w, f in zip(widths, floors, strict=True))
    if excess > 0 and slack > 0:
        take = min(1.0, excess / slack)
        widths = [w - (w - f) * take for w, f in zip(widths, floors, strict=True)]
    return tuple(widths)


def _draw_section(pdf: FPDF, section: Section, language: str) -> None:
    pdf.set_font("DejaVu", style="B", size=11)
    pdf.multi_cell(0, 6, section.title, new_x="LMARGIN", new_y="NEXT")
    if section.note:
        pdf.set_font("DejaVu", size=8)
        pdf.multi_cell(0, 4, section.note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    if not section.columns:
        return
    pdf.set_font("DejaVu", size=8)
    aligns = tuple("LEFT" if column.kind == "text" else "RIGHT" for column in section.columns)
    body = [*section.rows]
    totals = _totals_row(section, language)
    with pdf.table(
        col_widths=_column_widths(pdf, section, language),
        text_align=aligns,
        headings_style=FontFace(emphasis="BOLD", size_pt=HEADER_PT, fill_color=(225, 230, 238)),
        cell_fill_color=(246, 247, 250),
        cell_fill_mode=TableCellFillMode.ROWS,
        repeat_headings=1,
        line_height=4.5,
        width=pdf.epw,
    ) as table:
        header = table.row()
        for column in section.columns:
            header.cell(column.title, align="CENTER")
        for values in body:
            row = table.row()
            for column in section.columns:
                row.cell(format_value(values.get(column.key), column, language))
        if totals is not None:
            row = table.row(style=FontFace(emphasis="BOLD"))
            for column in section.columns:
                row.cell(format_value(totals.get(column.key), column, language))
    pdf.ln(4)


def to_pdf(report: Report) -> bytes:
    """The report as an A4 PDF: title block, one table per section (headers repeat), page numbers."""
    pdf = _ReportPdf(report)
    pdf.add_font("DejaVu", style="", fname=str(FONTS_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", style="B", fname=str(FONTS_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_creation_date(report.created)
    pdf.set_title(report.title)
    pdf.set_author(report.author)
    pdf.set_lang(report.language)
    pdf.set_creator("Qorgau")
    pdf.set_producer("Qorgau")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    pdf.set_font("DejaVu", style="B", size=14)
    pdf.multi_cell(0, 7, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=10)
    if report.subtitle:
        pdf.multi_cell(0, 5, report.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, f"{_words(report.language)['period']}: {report.period}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for section in report.sections:
        _draw_section(pdf, section, report.language)
    if report.footnotes:
        pdf.set_font("DejaVu", size=8)
        for footnote in report.footnotes:
            pdf.multi_cell(0, 4, footnote, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
