"""Reading the published forms: cells of every file checked by hand against the sheet; altered layouts refused."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from qorgau.legalstats import forms
from qorgau.legalstats.forms import Form, LayoutRefused
from qorgau.legalstats.regions import REGIONS, from_file_name
from tests.legalstats.conftest import FORM_1M, POPULATION, SNG1, WKO_1M, WKO_SNG1, needs_raw_forms

pytestmark = needs_raw_forms

# Cells read by hand from each sheet (R1), and the figure each must become.
SNG1_CELLS = {"E7": ("crimes", "registered"), "G7": ("crimes", "completed"), "I7": ("crimes", "interrupted"),
              "J7": ("crimes", "persons_identified"), "E19": ("group.theft", "registered"),
              "E22": ("group.fraud", "registered"), "G29": ("group.hooliganism", "completed")}
SNG1_BY_HAND = [
    ("Abay region.XLSX", {"E7": 2227, "G7": 534, "I7": 1226, "J7": 503, "E19": 1077, "E22": 540, "G29": 2}),
    ("Akmola region.XLSX", {"E7": 4535, "G7": 2713, "I7": 2155, "J7": 2611, "E19": 2099, "E22": 1084, "G29": 48}),
    ("Aktobe region.XLSX", {"E7": 6021, "G7": 2817, "I7": 3189, "J7": 2408, "E19": 2584, "E22": 1768, "G29": 93}),
    ("Almaty city.XLSX", {"E7": 31419, "G7": 9512, "I7": 22147, "J7": 6336, "E19": 16757, "E22": 10052, "G29": 72}),
    ("Almaty region.XLSX", {"E7": 9498, "G7": 4367, "I7": 5441, "J7": 3857, "E19": 4390, "E22": 2052, "G29": 127}),
    ("Astana city.XLSX", {"E7": 14672, "G7": 5804, "I7": 8519, "J7": 4289, "E19": 5688, "E22": 6616, "G29": 53}),
    ("Atyrau region.XLSX", {"E7": 4373, "G7": 2174, "I7": 2179, "J7": 1551, "E19": 1645, "E22": 1701, "G29": 36}),
    ("East Kazakhstan region.XLSX", {"E7": 6945, "G7": 3927, "I7": 3385, "J7": 3326, "E19": 2998, "E22": 2021,
                                     "G29": 50}),
    ("Jambyl region.XLSX", {"E7": 4676, "G7": 2912, "I7": 2264, "J7": 2745, "E19": 1620, "E22": 896, "G29": 177}),
    ("Jetisu region.XLSX", {"E7": 1777, "G7": 562, "I7": 774, "J7": 489, "E19": 644, "E22": 520, "G29": 11}),
    ("Karaganda region.XLSX", {"E7": 8917, "G7": 3667, "I7": 4640, "J7": 2854, "E19": 4074, "E22": 2844, "G29": 39}),
    ("Kostanay region.XLSX", {"E7": 6310, "G7": 2855, "I7": 3638, "J7": 2397, "E19": 2949, "E22": 1755, "G29": 17}),
    ("Kyzylorda region.XLSX", {"E7": 2827, "G7": 1330, "I7": 1320, "J7": 1436, "E19": 1048, "E22": 673, "G29": 69}),
    ("Mangystau region.XLSX", {"E7": 2930, "G7": 2228, "I7": 914, "J7": 1657, "E19": 863, "E22": 979, "G29": 143}),
    ("North Kazakhstan region.XLSX", {"E7": 3634, "G7": 2142, "I7": 1589, "J7": 1902, "E19": 1452, "E22": 991,
                                      "G29": 63}),
    ("Pavlodar region.XLSX", {"E7": 4451, "G7": 3079, "I7": 1761, "J7": 2222, "E19": 1414, "E22": 1735, "G29": 15}),
    ("Shymkent city.XLSX", {"E7": 8850, "G7": 4468, "I7": 5004, "J7": 2699, "E19": 3074, "E22": 4100, "G29": 60}),
    ("Turkistan region.XLSX", {"E7": 5305, "G7": 3713, "I7": 1431, "J7": 3163, "E19": 1417, "E22": 1570,
                               "G29": 176}),
    ("Ulytau region.XLSX", {"E7": 727, "G7": 151, "I7": 372, "J7": 133, "E19": 257, "E22": 227, "G29": 2}),
    ("West Kazakhstan region.XLSX", {"E7": 4935, "G7": 2986, "I7": 2123, "J7": 2416, "E19": 2183, "E22": 1220,
                                     "G29": 48}),
]
FORM_1M_CELLS = {"F7": ("all", "registered"), "F8": ("misdemeanours", "registered"), "F9": ("crimes", "registered"),
                 "K9": ("crimes", "sent_to_court"), "P9": ("crimes", "terminated_non_rehabilitating"),
                 "Q9": ("crimes", "terminated_rehabilitating"), "R9": ("crimes", "interrupted"),
                 "S9": ("crimes", "interrupted_unidentified"), "F12": ("severity.grave", "registered"),
                 "F125": ("group.fraud", "registered")}
FORM_1M_BY_HAND = [
    ("Aktobe Region.XLSX", {"F7": 6824, "F8": 803, "F9": 6021, "K9": 1895, "P9": 922, "Q9": 2443, "R9": 3189,
                            "S9": 3096, "F12": 1899, "F125": 1768}),
    ("Astana.XLSX", {"F7": 17144, "F8": 2472, "F9": 14672, "K9": 3727, "P9": 2077, "Q9": 5927, "R9": 8519,
                     "S9": 8120, "F12": 3506, "F125": 6616}),
    ("Atyrau Region.XLSX", {"F7": 4875, "F8": 502, "F9": 4373, "K9": 1699, "P9": 475, "Q9": 2411, "R9": 2179,
                            "S9": 2065, "F12": 1719, "F125": 1701}),
    ("West-Kazakhstan Region.XLSX", {"F7": 5908, "F8": 973, "F9": 4935, "K9": 1827, "P9": 1159, "Q9": 2422,
                                     "R9": 2123, "S9": 2029, "F12": 1445, "F125": 1220}),
]


def _parse(path: Path, form: Form) -> dict[tuple[str, str], forms.Figure]:
    region = from_file_name(path.stem)
    assert region is not None, path.name
    parsed = forms.parse(path.read_bytes(), form=form, region=region, name=path.name)
    return {(f.subject, f.measure): f for f in parsed.figures}


@pytest.mark.parametrize(("name", "by_hand"), SNG1_BY_HAND, ids=[name for name, _ in SNG1_BY_HAND])
def test_every_sng1_file_against_the_sheet(name: str, by_hand: dict[str, int]) -> None:
    path = SNG1 / name
    assert forms.detect_form(path.read_bytes(), name) is Form.SNG1
    figures = _parse(path, Form.SNG1)
    for cell, value in by_hand.items():
        figure = figures[SNG1_CELLS[cell]]
        assert (figure.value, figure.cell) == (value, f"R1!{cell}"), (name, cell)
    assert len({code for code, _ in figures if code.startswith("group.")}) == 16


@pytest.mark.parametrize(("name", "by_hand"), FORM_1M_BY_HAND, ids=[name for name, _ in FORM_1M_BY_HAND])
def test_every_1m_file_against_the_sheet(name: str, by_hand: dict[str, int]) -> None:
    path = FORM_1M / name
    assert forms.detect_form(path.read_bytes(), name) is Form.FORM_1M
    figures = _parse(path, Form.FORM_1M)
    for cell, value in by_hand.items():
        figure = figures[FORM_1M_CELLS[cell]]
        assert (figure.value, figure.cell) == (value, f"R1!{cell}"), (name, cell)
    # 1-М's total counts criminal misdemeanours too; "окончены" = sent to court + non-rehabilitating terminations.
    assert by_hand["F7"] == by_hand["F8"] + by_hand["F9"]
    assert figures[("crimes", "completed")].value == by_hand["K9"] + by_hand["P9"]


def test_west_kazakhstan_reads_the_same_in_both_forms() -> None:
    sng1, form_1m = _parse(WKO_SNG1, Form.SNG1), _parse(WKO_1M, Form.FORM_1M)
    for measure in ("registered", "completed", "interrupted"):
        assert sng1[("crimes", measure)].value == form_1m[("crimes", measure)].value
    assert (sng1[("crimes", "registered")].value, form_1m[("all", "registered")].value) == (4935, 5908)
    assert form_1m[("misdemeanours", "registered")].value == 973
    assert sng1[("group.theft_of_vehicles", "registered")].cell == "R1!E21"  # "транспортных средств" under thefts
    assert sng1[("group.vehicle_theft", "registered")].value == form_1m[("group.vehicle_theft", "registered")].value
    assert sng1[("group.vehicle_theft", "registered")].value == 82  # ст.200, R1!E26
    assert sng1[("group.traffic_fatal", "registered")].value == 8


def test_population_of_every_region() -> None:
    book = forms.open_book(POPULATION.read_bytes(), POPULATION.name)
    residents = forms.read_population(book)
    assert set(residents) == {r.code for r in REGIONS}
    assert residents["west_kazakhstan"] == (688091, "01!B12")
    assert residents["almaty_region"] == (1505984, "01!B10")
    assert residents["almaty_city"] == (2161695, "01!B25")
    assert sum(value for value, _ in residents.values()) == 19765004  # the sheet's own national total, B6


def test_file_names_name_the_region() -> None:
    assert {from_file_name(p.stem).code for p in SNG1.glob("*.XLSX")} == {r.code for r in REGIONS}  # type: ignore[union-attr]
    assert from_file_name("Almaty region").code == "almaty_region"  # type: ignore[union-attr]
    assert from_file_name("Almaty city").code == "almaty_city"  # type: ignore[union-attr]
    assert from_file_name("West-Kazakhstan Region").code == "west_kazakhstan"  # type: ignore[union-attr]
    assert from_file_name("copy of Aktobe region (2)").code == "aktobe"  # type: ignore[union-attr]
    assert from_file_name("report") is None


def _altered(source: Path, tmp_path: Path, edits: dict[str, str | int], sheet: str = "R1") -> bytes:
    book = openpyxl.load_workbook(source)
    for cell, value in edits.items():
        book[sheet][cell] = value
    out = tmp_path / "altered.xlsx"
    book.save(out)
    return out.read_bytes()


@pytest.mark.parametrize(("edits", "cell", "expected"), [
    ({"E5": "Количество чего-то другого"}, "header", "зарегистрированных ЕРДР"),  # a column renamed
    ({"D19": 14}, "D19", "line code 13"),  # a row inserted / codes shifted
    ({"G7": "много"}, "G7", "a count"),  # text where a count belongs
    ({"C21": "из офисов"}, "column A-C", "транспортных средств"),  # a row caption changed
    ({"F6": 7}, "F6", "column number 2"),  # columns renumbered
])
def test_an_altered_sng1_sheet_is_refused_with_its_cell(tmp_path: Path, edits: dict[str, str | int], cell: str,
                                                        expected: str) -> None:
    content = _altered(WKO_SNG1, tmp_path, edits)
    with pytest.raises(LayoutRefused) as refused:
        forms.parse(content, form=Form.SNG1, region=REGIONS[5], name="altered.xlsx")
    assert refused.value.status == 422 and refused.value.code == "legalstats.layout_refused"
    assert any(e["sheet"] == "R1" and e["cell"] == cell and expected in e["expected"] for e in refused.value.errors), \
        refused.value.errors


def _rewritten(source: Path, tmp_path: Path, member: str, old: str, new: str) -> bytes:
    """A copy of the workbook with one XML part edited in place (a full openpyxl load and save of a 26-sheet 1-М
    workbook takes about 17 s here; the file is the same XLSX either way)."""
    out = tmp_path / "altered.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == member:
                text = data.decode("utf-8")
                assert old in text, (member, old)
                data = text.replace(old, new, 1).encode("utf-8")
            copy.writestr(item, data)
    return out.read_bytes()


def test_a_1m_sheet_that_disagrees_with_itself_is_refused(tmp_path: Path) -> None:
    # R1 is the workbook's first sheet; J9 "окончены" no longer = sent to court + non-rehabilitating terminations.
    content = _rewritten(WKO_1M, tmp_path, "xl/worksheets/sheet1.xml", '<c r="J9" s="15"><v>2986</v>',
                         '<c r="J9" s="15"><v>2987</v>')
    with pytest.raises(LayoutRefused) as refused:
        forms.parse(content, form=Form.FORM_1M, region=REGIONS[5], name="altered.xlsx")
    assert [(e["sheet"], e["cell"]) for e in refused.value.errors] == [("R1", "J9")]


def test_a_1m_file_missing_a_sheet_is_refused(tmp_path: Path) -> None:
    content = _rewritten(WKO_1M, tmp_path, "xl/workbook.xml", 'name="PRIL7"', 'name="PRIL7-old"')
    with pytest.raises(LayoutRefused) as refused:
        forms.parse(content, form=Form.FORM_1M, region=REGIONS[5], name="altered.xlsx")
    assert [(e["sheet"], e["found"]) for e in refused.value.errors] == [("PRIL7", "missing")]


def test_not_a_workbook_is_refused() -> None:
    with pytest.raises(LayoutRefused) as refused:
        forms.detect_form(b"name,value\n", "figures.csv")
    assert refused.value.code == "legalstats.not_a_workbook"


def test_a_population_table_without_a_region_is_refused(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(POPULATION)
    book["01"]["A12"] = "Батыс"  # West Kazakhstan's caption cut short
    book["01"]["B13"] = "…"  # Jambyl's population unreadable
    out = tmp_path / "population.xlsx"
    book.save(out)
    with pytest.raises(LayoutRefused) as refused:
        forms.read_population(forms.open_book(out.read_bytes(), out.name))
    assert [(e["sheet"], e["cell"]) for e in refused.value.errors] == [("01", "column A"), ("01", "B13")]
    assert "Батыс Қазақстан" in refused.value.errors[0]["expected"]
