"""Reading one table of an official form as printed: its numbered columns (графы) and coded rows (шифр строки).

The forms of the Committee on Legal Statistics share one shape: a caption block ("Наименование…"), a row that
numbers the columns ("А | Б | 1 | 2 | …", "Б" heading the row codes), then one row per line code 1, 2, 3… Every
cell is found through those printed labels, and anything that does not fit is collected as a problem naming the
sheet and the cell, so a form with another layout is refused whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

Row = Sequence[object]
_SEARCH_ROWS = 15  # the numbering row sits within the first rows of every form seen
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Problem:
    """A cell that could not be read as the form's layout expects."""

    sheet: str
    cell: str
    expected: str
    found: str

    def as_error(self) -> dict[str, str]:
        """The problem as an entry of an error's ``errors`` list."""
        return {"code": "legalstats.layout", "sheet": self.sheet, "cell": self.cell, "expected": self.expected,
                "found": self.found}


def cell_name(row: int, column: int) -> str:
    """A1-style name of a 1-based (row, column)."""
    return f"{get_column_letter(column)}{row}"


def text(value: object) -> str:
    """A cell's text with runs of white space folded, '' for an empty cell."""
    return _SPACES.sub(" ", str(value)).strip() if value is not None else ""


def shown(value: object) -> str:
    """A cell's value as a problem quotes it (shortened)."""
    found = text(value)
    return found[:80] if found else "(empty)"


@dataclass
class Line:
    """One coded row: where it is, its caption (the row's own text before the code) and its values by column."""

    code: int
    row: int
    caption: str
    values: dict[int, int] = field(default_factory=dict)  # column number (графа) -> value


@dataclass
class Table:
    """A form's table located by its printed labels."""

    sheet: str
    headings: dict[int, str]  # column number -> the heading text above it, joined top to bottom
    columns: dict[int, int]  # column number -> sheet column index (1-based)
    lines: dict[int, Line]
    problems: list[Problem]

    def find_column(self, pattern: str) -> int | None:
        """The one column number whose heading matches ``pattern``; a problem and None unless exactly one."""
        matches = [number for number, heading in self.headings.items() if re.search(pattern, heading, re.I)]
        if len(matches) == 1:
            return matches[0]
        found = "no column" if not matches else "columns " + ", ".join(str(m) for m in matches)
        self.problems.append(Problem(self.sheet, "header", f"one column headed /{pattern}/", found))
        return None

    def find_line(self, pattern: str, *, near: int | None = None) -> Line | None:
        """The one line whose caption matches ``pattern`` (the first at or after line ``near`` when given)."""
        matches = [line for line in self.lines.values() if re.search(pattern, line.caption, re.I)]
        if near is not None:
            matches = [line for line in matches if line.code >= near][:1]
        if len(matches) == 1:
            return matches[0]
        found = "no line" if not matches else "lines " + ", ".join(str(m.code) for m in matches)
        self.problems.append(Problem(self.sheet, "column A-C", f"one line captioned /{pattern}/", found))
        return None

    def value(self, line: Line | None, column: int | None) -> int | None:
        """The value at a found line and column (None when either was not found: the problem is already noted)."""
        if line is None or column is None:
            return None
        return line.values.get(column, 0)


def _numbering_row(rows: Sequence[Row]) -> tuple[int, int] | None:
    """(row index, column index of "Б") of the row that numbers the columns, both 0-based."""
    for index, row in enumerate(rows[:_SEARCH_ROWS]):
        cells = [text(value) for value in row]
        if cells and cells[0] == "А" and "Б" in cells:
            return index, cells.index("Б")
    return None


def _header_top(rows: Sequence[Row], numbering: int) -> int:
    for index in range(numbering - 1, -1, -1):
        if text(rows[index][0] if rows[index] else None).startswith("Наименование"):
            return index
    return max(numbering - 1, 0)


def _number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def read_table(sheet: str, rows: Sequence[Row]) -> Table:
    """Locate the numbered columns and coded lines of a sheet's rows; problems are collected, not raised."""
    table = Table(sheet=sheet, headings={}, columns={}, lines={}, problems=[])
    found = _numbering_row(rows)
    if found is None:
        table.problems.append(Problem(sheet, f"A1:A{_SEARCH_ROWS}", 'a row numbering the columns "А | Б | 1 | 2…"',
                                      "none"))
        return table
    numbering, code_column = found
    top = _header_top(rows, numbering)
    expected = 1
    for column in range(code_column + 1, len(rows[numbering])):
        raw = rows[numbering][column]
        if raw is None:
            continue
        number = _number(raw)
        if number != expected:
            table.problems.append(Problem(sheet, cell_name(numbering + 1, column + 1), f"column number {expected}",
                                          shown(raw)))
            break
        table.columns[number] = column + 1
        table.headings[number] = _heading(rows, top, numbering, column)
        expected += 1
    if not table.columns:
        table.problems.append(Problem(sheet, cell_name(numbering + 1, code_column + 2), "column number 1", "none"))
    _read_lines(table, rows, numbering + 1, code_column)
    return table


def _heading(rows: Sequence[Row], top: int, numbering: int, column: int) -> str:
    # A heading spans merged cells: its text sits in the top-left cell, sub-headings below it. Walk left through
    # empty cells of the upper rows so a sub-column ("всего" under "прерваны сроки…") carries its parent's words.
    parts: list[str] = []
    for index in range(top, numbering):
        row = rows[index]
        own = text(row[column]) if column < len(row) else ""
        if own:
            parts.append(own)
    if len(parts) < 2:
        for index in range(top, numbering):
            row = rows[index]
            if column < len(row) and text(row[column]):
                break
            left = next((text(row[c]) for c in range(column - 1, 0, -1) if c < len(row) and text(row[c])), "")
            if left and left not in parts:
                parts.insert(0, left)
                break
    return " / ".join(parts)


def _read_lines(table: Table, rows: Sequence[Row], start: int, code_column: int) -> None:
    expected = 1
    for index in range(start, len(rows)):
        row = rows[index]
        raw = row[code_column] if code_column < len(row) else None
        if raw is None and expected > 1:
            break  # the coded table has ended (notes or signatures may follow)
        code = _number(raw)
        if code != expected:
            table.problems.append(Problem(table.sheet, cell_name(index + 1, code_column + 1), f"line code {expected}",
                                          shown(raw)))
            return
        caption = " ".join(part for part in (text(value) for value in row[:code_column]) if part)
        line = Line(code=code, row=index + 1, caption=caption)
        for number, column in table.columns.items():
            value = row[column - 1] if column - 1 < len(row) else None
            if value is None or text(value) in {"", "-"}:
                line.values[number] = 0
                continue
            parsed = _number(value)
            if parsed is None or parsed < 0:
                table.problems.append(Problem(table.sheet, cell_name(index + 1, column), "a count (whole number ≥ 0)",
                                              shown(value)))
                continue
            line.values[number] = parsed
        table.lines[code] = line
        expected += 1
    if not table.lines:
        table.problems.append(Problem(table.sheet, cell_name(start + 1, code_column + 1), "line code 1", "none"))
