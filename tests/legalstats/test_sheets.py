"""The table reader as a property: any well-formed form table reads back exactly; one bad cell is named, alone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.legalstats.sheets import cell_name, read_table, text

Grid = list[list[int]]


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], Grid]:
    columns = draw(st.integers(min_value=1, max_value=8))
    lines = draw(st.integers(min_value=1, max_value=12))
    headings = [f"Графа {n} " + draw(st.text(alphabet="абвгд ", max_size=10)) for n in range(1, columns + 1)]
    values = draw(st.lists(st.lists(st.integers(min_value=0, max_value=10**7), min_size=columns, max_size=columns),
                           min_size=lines, max_size=lines))
    return headings, values


def _rows(headings: list[str], values: Grid) -> list[tuple[object, ...]]:
    # The printed shape: a title, the caption block, the numbering row "А | (B) | (C) | Б | 1 | 2 …", coded lines.
    rows: list[tuple[object, ...]] = [("Форма № X",), ("Наименование", None, None, None, *headings),
                                      ("А", None, None, "Б", *range(1, len(headings) + 1))]
    rows += [(f"строка {code}", None, None, code, *line) for code, line in enumerate(values, 1)]
    rows.append(("Руководитель", None, None, None))  # a signature after the table ends it
    return rows


@settings(max_examples=60, deadline=None)
@given(tables())
def test_a_well_formed_table_reads_back_exactly(table: tuple[list[str], Grid]) -> None:
    headings, values = table
    read = read_table("R1", _rows(headings, values))
    assert read.problems == []
    assert [read.headings[n] for n in sorted(read.headings)] == [text(h) for h in headings]
    assert {code: [line.values[n] for n in sorted(line.values)] for code, line in read.lines.items()} == {
        code: line for code, line in enumerate(values, 1)}
    assert all(line.caption == f"строка {code}" for code, line in read.lines.items())


@settings(max_examples=60, deadline=None)
@given(tables(), st.data())
def test_one_unreadable_count_is_the_only_problem_and_names_its_cell(table: tuple[list[str], Grid],
                                                                     data: st.DataObject) -> None:
    headings, values = table
    rows = _rows(headings, values)
    line = data.draw(st.integers(min_value=1, max_value=len(values)))
    column = data.draw(st.integers(min_value=1, max_value=len(headings)))
    bad = data.draw(st.sampled_from(["x", "1,5", "-3", 2.5]))
    row_index = 2 + line  # 0-based: title, captions, numbering, then line 1
    cells = list(rows[row_index])
    cells[3 + column] = bad
    rows[row_index] = tuple(cells)
    read = read_table("R1", rows)
    assert [(p.sheet, p.cell) for p in read.problems] == [("R1", cell_name(row_index + 1, 4 + column))]
