"""Matching without a database: confusables, partial and wildcard patterns, unread characters, expiry, size."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from qorgau.roads.matching import Candidate, Matcher, canonical, valid_pattern

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _matcher(*patterns: str, until: datetime | None = None) -> Matcher:
    return Matcher.of(Candidate(number, canonical(p), until) for number, p in enumerate(patterns, 1))


def test_a_full_plate_matches_through_ocr_confusables() -> None:
    matcher = _matcher("123OBC02")
    assert matcher.match("1230BC02", NOW, max_unknown=1) == [1]  # O read as 0
    assert matcher.match("123O8C02", NOW, max_unknown=1) == [1]  # B read as 8
    assert matcher.match("124OBC02", NOW, max_unknown=1) == []


def test_partial_and_wildcard_patterns() -> None:
    matcher = _matcher("123?BC02", "777*", "*KZ01")
    assert matcher.match("123ABC02", NOW, max_unknown=1) == [1]
    assert matcher.match("123ABCD02", NOW, max_unknown=1) == []  # `?` is one character
    assert matcher.match("777AAA01", NOW, max_unknown=1) == [2]
    assert matcher.match("999AKZ01", NOW, max_unknown=1) == [3]
    assert matcher.match("999AKZ02", NOW, max_unknown=1) == []


def test_a_read_with_an_unread_character_finds_full_plates_up_to_the_limit() -> None:
    matcher = _matcher("123ABC02")
    assert matcher.match("12?ABC02", NOW, max_unknown=1) == [1]
    assert matcher.match("12?AB?02", NOW, max_unknown=1) == []  # too uncertain
    assert matcher.match("12?AB?02", NOW, max_unknown=2) == [1]


def test_an_expired_entry_no_longer_matches() -> None:
    matcher = _matcher("123ABC02", until=NOW - timedelta(minutes=1))
    assert matcher.match("123ABC02", NOW, max_unknown=1) == []
    assert matcher.match("123ABC02", NOW - timedelta(hours=1), max_unknown=1) == [1]


def test_patterns_need_two_known_characters() -> None:
    assert valid_pattern("12*")
    assert not valid_pattern("*")
    assert not valid_pattern("1?*")
    assert not valid_pattern("12-AB")  # normalised before: dashes never reach here


def test_ten_thousand_entries_match_a_read_in_well_under_a_millisecond() -> None:
    plates = [f"{n % 1000:03d}{chr(65 + n % 26)}{chr(65 + n // 26 % 26)}{chr(65 + n // 676 % 26)}{n % 17 + 1:02d}"
              for n in range(10_000)]
    matcher = _matcher(*plates, "999??C01", "555*")
    started = time.perf_counter()
    for plate in plates[:2000]:
        assert matcher.match(plate, NOW, max_unknown=1)
    per_read = (time.perf_counter() - started) / 2000
    assert per_read < 0.001, per_read
