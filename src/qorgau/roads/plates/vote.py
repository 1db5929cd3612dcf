"""Voting the reads of one track's frames into one read with a confidence, keeping the best plate crop.

Only candidates of the winning format are voted, so characters are aligned by position; each frame's vote is
weighted by its OCR confidence times its grammar plausibility, and an unknown character (`?`) casts no vote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from qorgau.roads.plates.grammar import FORMATS_BY_CODE, UNKNOWN, PlateCandidate, best
from qorgau.roads.plates.reader import Image3, PlateRead

# A position is only trusted when this share of the weight agrees on it; otherwise it stays unknown.
MIN_AGREEMENT = 0.5


@dataclass(frozen=True, slots=True)
class TrackRead:
    """A track's plate: the voted candidate, its confidence (0..1), how many frames voted, and the best crop."""

    candidate: PlateCandidate
    confidence: float
    frames: int
    crop: Image3


def _weight(read: PlateRead, candidate: PlateCandidate) -> float:
    return read.ocr_confidence * candidate.plausibility


def vote(reads: Sequence[PlateRead]) -> TrackRead | None:
    """One read for the track, or None when no frame's read fits any format."""
    by_format: dict[str, list[tuple[PlateRead, PlateCandidate]]] = defaultdict(list)
    for read in reads:
        if read.best is not None:
            by_format[read.best.format_code].append((read, read.best))
    if not by_format:
        return None
    # The format the frames' weight agrees on; a tie goes to the format seen in more frames.
    format_code = max(by_format, key=lambda code: (sum(_weight(r, c) for r, c in by_format[code]),
                                                   len(by_format[code])))
    voters = by_format[format_code]
    length = len(voters[0][1].text)
    chars: list[str] = []
    agreement: list[float] = []
    for position in range(length):
        tally: dict[str, float] = defaultdict(float)
        for read, candidate in voters:
            char = candidate.text[position]
            if char != UNKNOWN:
                tally[char] += _weight(read, candidate)
        total = sum(tally.values())
        if total <= 0:
            chars.append(UNKNOWN)
            agreement.append(0.0)
            continue
        winner, weight = max(tally.items(), key=lambda item: item[1])
        share = weight / total
        chars.append(winner if share >= MIN_AGREEMENT else UNKNOWN)
        agreement.append(share if share >= MIN_AGREEMENT else 0.0)
    # Parsed as the rows the frames were read in: a two-row (motorcycle) text is a private one's on one row.
    voted = best("".join(chars), rows=FORMATS_BY_CODE[format_code].rows)
    if voted is None or voted.format_code != format_code:
        return None
    weights = [_weight(r, c) for r, c in voters]
    # Confidence: how sure the frames were, how much they agreed, and how many there were (one frame is weak).
    mean_weight = sum(weights) / len(weights)
    support = min(1.0, 0.5 + 0.1 * len(voters))
    confidence = mean_weight * (sum(agreement) / length) * support * voted.plausibility
    best_read = max(voters, key=lambda pair: _weight(*pair))[0]
    return TrackRead(candidate=voted, confidence=round(min(1.0, confidence), 4), frames=len(voters),
                     crop=best_read.crop)
