"""Voting a track's frame reads: per-character majority weighted by confidence, unknowns left open."""

from __future__ import annotations

import numpy as np

from qorgau.roads.plates.grammar import parse
from qorgau.roads.plates.reader import PlateRead
from qorgau.roads.plates.vote import vote


def _read(raw: str, confidence: float, marker: int = 0) -> PlateRead:
    crop = np.full((20, 80, 3), marker, dtype=np.uint8)
    return PlateRead(raw=raw, candidates=tuple(parse(raw)), ocr_confidence=confidence, box=(0, 0, 80, 20), crop=crop)


def test_majority_per_character_wins_and_best_crop_is_kept() -> None:
    track = vote([_read("123ABC07", 0.9, marker=1), _read("123ABG07", 0.6), _read("1Z3ABC07", 0.7),
                  _read("12?ABC07", 0.8)])
    assert track is not None
    assert track.candidate.text == "123ABC07" and track.frames == 4
    assert int(track.crop[0, 0, 0]) == 1


def test_no_read_that_fits_a_format_gives_no_track_read() -> None:
    assert vote([_read("HELLO", 0.9), _read("", 0.0)]) is None
    assert vote([]) is None


def test_the_format_most_frames_agree_on_wins() -> None:
    track = vote([_read("123AB07", 0.8), _read("123AB07", 0.8), _read("A123BC64", 0.9)])
    assert track is not None and track.candidate.format_code == "kz_2012_legal"


def test_disagreement_leaves_a_character_unknown_and_lowers_confidence() -> None:
    agreed = vote([_read("123ABC07", 0.9), _read("123ABC07", 0.9)])
    split = vote([_read("123ABC07", 0.9), _read("123ABK07", 0.9), _read("123ABX07", 0.9)])
    assert agreed is not None and split is not None
    assert split.candidate.text == "123AB?07"
    assert split.confidence < agreed.confidence


def test_one_frame_is_weaker_than_several() -> None:
    one = vote([_read("123ABC07", 0.9)])
    several = vote([_read("123ABC07", 0.9)] * 4)
    assert one is not None and several is not None and one.confidence < several.confidence
