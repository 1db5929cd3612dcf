"""Clearance under every reading, against West Kazakhstan's 2023 forms (СНГ-1 and 1-М, crimes and all offences)."""

from __future__ import annotations

from typing import get_args

import pytest

from qorgau.legalstats.clearance import DEFAULT_READING, READINGS, ClearanceInputs, clearance, every_reading
from qorgau.legalstats.config import ClearanceReadingCode, LegalStatsSettings

# 1-М R1 (West-Kazakhstan Region.XLSX), row 9 "преступлений": F9 registered, K9 sent to court, P9 / Q9 terminated
# on non-rehabilitating / rehabilitating grounds, R9 interrupted, S9 of them for want of an identified offender,
# E9 - F9 carried over (in production minus registered). СНГ-1 R1 prints the same E7 4935, G7 2986, I7 2123.
WKO_CRIMES = ClearanceInputs(registered=4935, sent_to_court=1827, terminated_non_rehabilitating=1159,
                             terminated_rehabilitating=2422, interrupted=2123, carried_over=5686 - 4935,
                             interrupted_unidentified=2029)
# Row 7 "Всего правонарушений": crimes and criminal misdemeanours together.
WKO_ALL = ClearanceInputs(registered=5908, sent_to_court=2028, terminated_non_rehabilitating=1639,
                          terminated_rehabilitating=2870, interrupted=2124, carried_over=6927 - 5908,
                          interrupted_unidentified=2029)


def test_completed_is_court_plus_non_rehabilitating() -> None:
    assert WKO_CRIMES.completed == 2986  # СНГ-1 R1 G7, 1-М R1 J9
    assert WKO_ALL.completed == 3667  # 1-М R1 J7


@pytest.mark.parametrize(("reading", "crimes", "everything"), [
    ("department", 2986 / 5109, 3667 / 5791),
    ("registered", 2986 / 4935, 3667 / 5908),
    ("unidentified", 2986 / 5015, 3667 / 5696),
    ("court", 1827 / 3950, 2028 / 4152),
    ("caseload", 2986 / 5686, 3667 / 6927),
])
def test_each_reading_on_west_kazakhstan(reading: str, crimes: float, everything: float) -> None:
    assert clearance(WKO_CRIMES, reading) == pytest.approx(crimes)
    assert clearance(WKO_ALL, reading) == pytest.approx(everything)


def test_the_common_readings_span_58_to_64_percent() -> None:
    common = [clearance(inputs, code) for inputs in (WKO_CRIMES, WKO_ALL)
              for code in ("department", "registered", "unidentified")]
    assert [round(100 * value, 1) for value in common if value is not None] == [58.4, 60.5, 59.5, 63.3, 62.1, 64.4]
    assert clearance(WKO_CRIMES) == clearance(WKO_CRIMES, "department") == pytest.approx(0.5845, abs=1e-4)


def test_nothing_to_divide_gives_none() -> None:
    empty = ClearanceInputs(registered=0, sent_to_court=0, terminated_non_rehabilitating=0,
                            terminated_rehabilitating=0, interrupted=0)
    assert set(every_reading(empty).values()) == {None}
    without_split = ClearanceInputs(registered=10, sent_to_court=3, terminated_non_rehabilitating=1,
                                    terminated_rehabilitating=0, interrupted=2)
    assert clearance(without_split, "unidentified") is None
    assert clearance(without_split) == pytest.approx(4 / 6)


def test_unknown_reading_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown clearance reading"):
        clearance(WKO_CRIMES, "guess")


def test_every_reading_is_described_in_three_languages_and_selectable() -> None:
    assert LegalStatsSettings.model_fields["stats_clearance_reading"].default == DEFAULT_READING
    assert set(get_args(ClearanceReadingCode)) == set(READINGS)
    for code, reading in READINGS.items():
        assert reading.code == code
        assert set(reading.names) == set(reading.formula) == {"kk", "ru", "en"}
        assert all(text.strip() for text in (*reading.names.values(), *reading.formula.values()))


def test_a_form_without_the_split_gives_only_the_readings_it_can() -> None:
    # СНГ-1 R1 prints "окончены" (G7 2986) without its parts and no carried-over or unidentified counts.
    printed = ClearanceInputs.printed(registered=4935, completed=2986, interrupted=2123)
    assert printed.completed == 2986
    assert {code: None if value is None else round(value, 4) for code, value in every_reading(printed).items()} == {
        "department": 0.5845, "registered": 0.6051, "unidentified": None, "court": None, "caseload": None}
