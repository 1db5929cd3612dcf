"""The report engine: reproducible bytes, Kazakh letters in both formats, tables across pages."""

from __future__ import annotations

import io
import re
import zlib
from datetime import UTC, datetime

from openpyxl import load_workbook

from qorgau.core.reports import Column, Report, Section, format_value, to_pdf, to_xlsx

KAZAKH = "әғқңөұүһі"
COLUMNS = (
    Column("name", "Учаске атауы"),
    Column("residents", "Тұрғындар", "int"),
    Column("share", "Үлесі", "percent"),
    Column("mean", "Орташа баға", "float", 2),
)


def _report(rows: int = 5, *, language: str = "kk") -> Report:
    body = [
        {"name": f"№{index} учаске {KAZAKH}", "residents": 2000 + index * 37, "share": index / rows, "mean": 4.25}
        for index in range(rows)
    ]
    section = Section("Учаскелер бойынша", COLUMNS, body, totals={"residents": 12345, "share": 0.5}, note="Ескерту")
    return Report("Есеп", "Ақсай", "2026 қараша", [section], footnotes=["Дереккөз: Qorgau"], language=language)


def _pdf_unicode_map(pdf: bytes) -> set[str]:
    """Every character the PDF's ToUnicode maps name: the glyphs its embedded font subsets carry."""
    characters: set[str] = set()
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            text = zlib.decompress(match.group(1))
        except zlib.error:
            text = match.group(1)  # fpdf2 leaves the small CMaps uncompressed
        if b"beginbfchar" not in text and b"beginbfrange" not in text:
            continue
        for code in re.findall(rb"<[0-9A-Fa-f]{4}> <([0-9A-Fa-f]{4,8})>", text):
            characters.add(bytes.fromhex(code.decode()).decode("utf-16-be"))
    return characters


def test_same_report_gives_the_same_bytes() -> None:
    report = _report()
    assert to_xlsx(report) == to_xlsx(report)
    assert to_pdf(report) == to_pdf(report)


def test_created_date_is_written_into_both_files() -> None:
    created = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    report = Report("T", "", "P", [], created=created)
    workbook = load_workbook(io.BytesIO(to_xlsx(report)))
    assert workbook.properties.created == created.replace(tzinfo=None)
    assert workbook.properties.modified == created.replace(tzinfo=None)
    assert b"D:20261201093000Z" in to_pdf(report)


def test_xlsx_reads_back_with_kazakh_text_numbers_and_totals() -> None:
    workbook = load_workbook(io.BytesIO(to_xlsx(_report())))
    assert workbook.sheetnames == ["Есеп", "Учаскелер бойынша"]
    sheet = workbook["Учаскелер бойынша"]
    assert sheet["A1"].value == "Учаскелер бойынша"
    assert [cell.value for cell in sheet[3]] == ["Учаске атауы", "Тұрғындар", "Үлесі", "Орташа баға"]
    assert sheet[3][0].font.bold
    assert sheet.freeze_panes == "A4"
    assert sheet["A4"].value == f"№0 учаске {KAZAKH}"
    assert sheet["B4"].value == 2000 and sheet["B4"].number_format == "#,##0"
    assert sheet["C5"].number_format == "0.0%"
    assert sheet["D4"].number_format == "#,##0.00"
    totals = [cell.value for cell in sheet[9]]
    assert totals[:3] == ["Барлығы", 12345, 0.5] and sheet["A9"].font.bold


def test_pdf_embeds_the_kazakh_glyphs() -> None:
    pdf = to_pdf(_report())
    assert pdf.startswith(b"%PDF-")
    assert set(KAZAKH) <= _pdf_unicode_map(pdf)
    assert b"/FontFile2" in pdf  # the font travels with the file


def test_long_table_breaks_across_pages_with_page_numbers() -> None:
    pdf = to_pdf(_report(rows=150, language="ru"))
    pages = len(re.findall(rb"/Type /Page\b", pdf))
    assert pages >= 3
    assert {"С", "т", "р", "и", "з"} <= _pdf_unicode_map(pdf)  # "Стр. 1 из 3" in the footer


def test_values_are_formatted_for_the_language() -> None:
    share = Column("s", "S", "percent")
    count = Column("c", "C", "int")
    assert format_value(0.256, share, "en") == "25.6 %"
    assert format_value(0.256, share, "ru") == "25,6 %"
    assert format_value(12345, count, "kk") == "12\u00a0345"
    assert format_value(None, count, "ru") == ""
