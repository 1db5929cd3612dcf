"""The official forms read into reference figures: СНГ-1 (all regions), 1-М (R1) and stat.gov.kz's population table.

A figure is (subject, measure, value): the subject is a printed line (all offences, crimes, criminal misdemeanours,
a severity class, an article group), the measure a printed column (registered, completed, sent to court…). Each is
found by its caption or heading, never by a fixed address alone, and checked against the form's own arithmetic
("окончены" = sent to court + terminated on non-rehabilitating grounds) before anything is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO

import openpyxl

from qorgau.core.errors import ValidationFailed
from qorgau.legalstats.regions import REGIONS, Region
from qorgau.legalstats.sheets import Problem, Row, Table, cell_name, read_table, shown, text


class Form(StrEnum):
    """The forms the importer reads."""

    SNG1 = "sng1"  # СНГ-1 "Сведения о состоянии преступности и результатах расследования уголовных правонарушений"
    FORM_1M = "1m"  # 1-М "О зарегистрированных уголовных правонарушениях"
    POPULATION = "population"  # stat.gov.kz "Численность населения … на 1 января"


@dataclass(frozen=True)
class Figure:
    """One reference figure of a region: a printed line's value in a printed column."""

    subject: str
    measure: str
    value: int
    cell: str  # where it was read ("R1!E7"), shown beside the figure so anyone can check it


@dataclass(frozen=True)
class ParsedForm:
    """A whole form read and checked, ready to replace the stored figures of (form, region, period)."""

    form: Form
    region: str
    figures: tuple[Figure, ...]


class LayoutRefused(ValidationFailed):
    """The file's layout differs from the form's: nothing of it was imported."""

    code = "legalstats.layout_refused"


# Article groups share their codes with the offence registry's article_group; each is a printed line.
SNG1_GROUPS: dict[str, str] = {
    "murder": r"^Убийство и покушение на убийство",
    "grievous_harm": r"тяжкого вреда здоровью \(ст\.106",
    "theft": r"кражи \(ст\.188",
    "fraud": r"^мошенничества \(ст\.190",
    "robbery": r"^грабежа \(ст\.191",
    "brigandage": r"^разбоя \(ст\.192",
    "vehicle_theft": r"^Неправомерное завладение автомобилем",  # ст.200, as the offence registry's group
    "hooliganism": r"^Хулиганство \(ст\.293",
    "drugs": r"наркотических средств",
    "traffic_fatal": r"^Нарушение правил дорожного движения.*смерть",
    "rape": r"^Изнасилование",
    "extortion": r"^Вымогательство",
    "property_damage": r"^Умышленное уничтожение или повреждение чужого имущества",
    "weapons": r"^оружия \(ст",
    "bribery": r"^Взяточничество",
}
FORM_1M_GROUPS: dict[str, str] = {
    "murder": r"Убийство \(ст\.99\)",
    "grievous_harm": r"^Умышленное причинение тяжкого вреда здоровью \(ст\.106\)",
    "theft": r"^Кража \(ст\.188\)",
    "fraud": r"^Мошенничество \(ст\.190\)",
    "robbery": r"^Грабеж \(ст\.191\)",
    "brigandage": r"^Разбой \(ст\.192\)",
    "vehicle_theft": r"^Неправомерное завладение автомобилем.*\(ст\.200\)",
    "hooliganism": r"^Хулиганство \(ст\.293\)",
    "rape": r"^Изнасилование \(ст\.120\)",
    "extortion": r"^Вымогательство \(ст\.194\)",
    "property_damage": r"^Умышленное уничтожение или повреждение чужого имущества",
}
# Not a group of the registry: the thefts of vehicles printed under thefts (a part of "theft").
THEFT_OF_VEHICLES = ("group.theft_of_vehicles", r"^транспортных средств$")
SNG1_MEASURES: dict[str, str] = {
    "registered": r"зарегистрированных ЕРДР",
    "completed": r"^Количество правонарушений, уголовные дела о которых окончены",
    "interrupted": r"^Осталось правонарушений.*прерваны сроки",
    "persons_identified": r"^Выявлено лиц",
}
FORM_1M_MEASURES: dict[str, str] = {
    "in_production": r"находились в производстве",
    "registered": r"^Количество правонарушений, зарегистрированных в ЕРДР",
    "completed": r"окончены производством",
    "sent_to_court": r"^Количество правонарушений, уголовные дела о которых направлены в суд",
    "terminated_non_rehabilitating": r"прекращены по пунктам 3\), 4\), 9\)",
    "terminated_rehabilitating": r"прекращены по пунктам 1\), 2\), 5\)",
    "interrupted": r"прерваны сроки досудебного расследования.*/ всего$",
    "interrupted_unidentified": r"п\.1\) ч\.7 ст\.45 УПК РК \(неустановления лица",
}
FORM_1M_SUBJECTS: dict[str, str] = {
    "all": r"^Всего правонарушений",
    "misdemeanours": r"^из них проступки",
    "crimes": r"^преступлений",
    "severity.minor": r"небольшой тяжести",
    "severity.medium": r"^средней тяжести",
    "severity.grave": r"^тяжкие",
    "severity.especially_grave": r"^особо тяжкие",
}
FORM_1M_SHEETS = tuple([f"R{n}" for n in range(1, 12)] + ["R1-1", "R1-2", "R3-1", "R4-1"]
                       + [f"PRIL{n}" for n in range(1, 12)])


def _rows(book: openpyxl.Workbook, sheet: str) -> list[Row]:
    return list(book[sheet].iter_rows(values_only=True))


def _title(rows: Sequence[Row], sheet: str, pattern: str, problems: list[Problem]) -> None:
    # The title is the first text in column A (row 1 or 2: some files leave row 1 empty).
    first = next((text(row[0]) for row in rows[:3] if row and text(row[0])), "")
    if pattern not in first:
        problems.append(Problem(sheet, "A1:A3", f"the title of form {pattern}", shown(first)))


def _grid(table: Table, subjects: dict[str, str], measures: dict[str, str], sheet: str,
          near: dict[str, str] | None = None) -> list[Figure]:
    columns = {measure: table.find_column(pattern) for measure, pattern in measures.items()}
    figures: list[Figure] = []
    for subject, pattern in subjects.items():
        anchor = None
        if near and subject in near:
            anchor_line = table.find_line(near[subject])
            anchor = anchor_line.code if anchor_line else None
        line = table.find_line(pattern, near=anchor)
        for measure, column in columns.items():
            value = table.value(line, column)
            if value is not None and line is not None and column is not None:
                figures.append(Figure(subject, measure, value, f"{sheet}!{cell_name(line.row, table.columns[column])}"))
    return figures


def _check_completed(figures: list[Figure], sheet: str, problems: list[Problem]) -> None:
    # "Окончены" is sent to court plus terminated on non-rehabilitating grounds: a sheet that disagrees with
    # itself was read in the wrong place.
    by_key = {(f.subject, f.measure): f for f in figures}
    for (subject, measure), completed in by_key.items():
        if measure != "completed":
            continue
        court = by_key.get((subject, "sent_to_court"))
        terminated = by_key.get((subject, "terminated_non_rehabilitating"))
        if court and terminated and court.value + terminated.value != completed.value:
            problems.append(Problem(sheet, completed.cell.split("!")[1],
                                    f"completed = sent to court + terminated ({court.value} + {terminated.value})",
                                    str(completed.value)))


def read_sng1(book: openpyxl.Workbook) -> tuple[list[Figure], list[Problem]]:
    """СНГ-1: the totals (crimes) and the article groups from section 1, the persons identified included."""
    problems: list[Problem] = []
    missing = [name for name in ("R1", "R2", "R3") if name not in book.sheetnames]
    if missing:
        return [], [Problem(name, "-", "a sheet of form СНГ-1", "missing") for name in missing]
    rows = _rows(book, "R1")
    _title(rows, "R1", "СНГ-1", problems)
    table = read_table("R1", rows)
    subjects = {"crimes": r"^Всего$", **{f"group.{code}": pattern for code, pattern in SNG1_GROUPS.items()}}
    subjects[THEFT_OF_VEHICLES[0]] = THEFT_OF_VEHICLES[1]
    figures = _grid(table, subjects, SNG1_MEASURES, "R1",
                    near={THEFT_OF_VEHICLES[0]: SNG1_GROUPS["theft"]})
    problems += table.problems
    return figures, problems


def read_1m(book: openpyxl.Workbook) -> tuple[list[Figure], list[Problem]]:
    """1-М section 1: all offences, crimes and criminal misdemeanours apart, severity classes, article groups."""
    problems: list[Problem] = []
    missing = [name for name in FORM_1M_SHEETS if name not in book.sheetnames]
    if missing:
        return [], [Problem(name, "-", "a sheet of form 1-М", "missing") for name in missing]
    rows = _rows(book, "R1")
    _title(rows, "R1", "1-М", problems)
    table = read_table("R1", rows)
    subjects = {**FORM_1M_SUBJECTS, **{f"group.{code}": pattern for code, pattern in FORM_1M_GROUPS.items()}}
    subjects[THEFT_OF_VEHICLES[0]] = THEFT_OF_VEHICLES[1]
    figures = _grid(table, subjects, FORM_1M_MEASURES, "R1",
                    near={THEFT_OF_VEHICLES[0]: FORM_1M_GROUPS["theft"]})
    problems += table.problems
    _check_completed(figures, "R1", problems)
    if not problems:  # 1-М's total counts crimes and criminal misdemeanours: its parts must add up to it
        by_key = {(f.subject, f.measure): f for f in figures}
        total, parts = by_key[("all", "registered")], (by_key[("crimes", "registered")].value
                                                       + by_key[("misdemeanours", "registered")].value)
        if total.value != parts:
            problems.append(Problem("R1", total.cell.split("!")[1], f"crimes + criminal misdemeanours = {parts}",
                                    str(total.value)))
    return figures, problems


POPULATION_SHEET = "01"


def read_population(book: openpyxl.Workbook) -> dict[str, tuple[int, str]]:
    """Residents of each of the 20 regions on 1 January ({code: (residents, cell)}); refused unless all 20 read."""
    problems: list[Problem] = []
    if POPULATION_SHEET not in book.sheetnames:
        raise LayoutRefused(errors=[Problem(POPULATION_SHEET, "-", "the table by region", "missing").as_error()],
                            params={"count": 1})
    rows = _rows(book, POPULATION_SHEET)
    heading = " ".join(text(value) for row in rows[:5] for value in row if value is not None)
    if "Все население" not in heading:
        problems.append(Problem(POPULATION_SHEET, "B3", "the column 'Барлық халық Все население'", shown(heading)))
    captions = {text(row[0]): (index, row) for index, row in enumerate(rows) if row and row[0] is not None}
    found: dict[str, tuple[int, str]] = {}
    for region in REGIONS:
        if region.population_caption not in captions:
            problems.append(Problem(POPULATION_SHEET, "column A", f"a row for {region.population_caption}", "none"))
            continue
        index, row = captions[region.population_caption]
        value = row[1] if len(row) > 1 else None
        if not isinstance(value, int | float) or value <= 0:
            problems.append(Problem(POPULATION_SHEET, cell_name(index + 1, 2), "a population", shown(value)))
            continue
        found[region.code] = (int(value), f"{POPULATION_SHEET}!{cell_name(index + 1, 2)}")
    if problems:
        raise LayoutRefused(errors=[p.as_error() for p in problems], params={"count": len(problems)})
    return found


def open_book(content: bytes, name: str) -> openpyxl.Workbook:
    """The workbook in ``content``, refused as a whole when it is not one."""
    try:
        return openpyxl.load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise LayoutRefused("legalstats.not_a_workbook", params={"file": name, "detail": str(exc)[:200]}) from exc


def parse(content: bytes, *, form: Form, region: Region, name: str) -> ParsedForm:
    """Read one regional form whole, or refuse it with every cell that could not be read."""
    book = open_book(content, name)
    try:
        if form is Form.SNG1:
            figures, problems = read_sng1(book)
        elif form is Form.FORM_1M:
            figures, problems = read_1m(book)
        else:
            raise LayoutRefused("legalstats.form_unknown", params={"form": str(form)})
    finally:
        book.close()
    if problems:
        raise LayoutRefused(errors=[p.as_error() for p in problems],
                            params={"file": name, "form": str(form), "count": len(problems)})
    return ParsedForm(form=form, region=region.code, figures=tuple(figures))


def detect_form(content: bytes, name: str) -> Form:
    """Which form a workbook is, from its sheets and the title of its first one."""
    book = open_book(content, name)
    try:
        sheets = book.sheetnames
        head = list(book[sheets[0]].iter_rows(max_row=3, values_only=True)) if sheets else []
        first = next((text(row[0]) for row in head if row and text(row[0])), "")
    finally:
        book.close()
    if POPULATION_SHEET in sheets and "Обложка" in sheets:
        return Form.POPULATION
    if "1-М" in first or "PRIL1" in sheets:
        return Form.FORM_1M
    if "СНГ-1" in first:
        return Form.SNG1
    raise LayoutRefused("legalstats.form_unknown", params={"file": name},
                        errors=[Problem(sheets[0] if sheets else "-", "A1", "the title of form СНГ-1 or 1-М",
                                        shown(first)).as_error()])

