"""Watch-list matching: plates and patterns compared in a canonical form that folds OCR confusables.

A reader mistakes 0 for O, 8 for B, 1 for I… so both the read and the entry are folded to one representative of
each confusable group before they are compared; a stolen `123OBC02` is found when the camera reads `1230BC02`.
Full plates are looked up in a dict by their folded form (thousands of entries cost one lookup); partial (`?`)
and wildcard (`*`) patterns are few and compiled once into regular expressions, bucketed by length where fixed.
A read with unread characters (`?`) is compared with the full plates of its length as a small pattern itself.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

# Each confusable group folds to its first member (a digit: KZ plates are mostly digits around three letters).
CONFUSABLE_GROUPS = ("0OQD", "1I", "2Z", "5S", "6G", "8B")
_FOLD = str.maketrans({ch: group[0] for group in CONFUSABLE_GROUPS for ch in group[1:]})
PATTERN = re.compile(r"^[A-Z0-9?*]{1,24}$")


def canonical(text: str) -> str:
    """The folded form of a normalised plate or pattern (`?` and `*` kept)."""
    return text.translate(_FOLD)


def is_exact(pattern: str) -> bool:
    return "?" not in pattern and "*" not in pattern


def valid_pattern(pattern: str) -> bool:
    """Letters, digits, `?`, `*`; at least two known characters (a lone `*` would match every car)."""
    return bool(PATTERN.match(pattern)) and sum(ch not in "?*" for ch in pattern) >= 2


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The regular expression of a folded pattern: `?` one character, `*` any run (none included)."""
    return re.compile("".join("." if ch == "?" else ".*" if ch == "*" else re.escape(ch) for ch in pattern))


@dataclass(frozen=True)
class Candidate:
    """What the matcher needs of an entry (the rest is read when a hit is written)."""

    entry_id: int
    key: str
    valid_until: datetime | None


@dataclass
class Matcher:
    """Every enabled entry, ready to compare reads with."""

    exact: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))
    fixed: dict[int, list[tuple[re.Pattern[str], Candidate]]] = field(default_factory=lambda: defaultdict(list))
    variable: list[tuple[re.Pattern[str], Candidate]] = field(default_factory=list)

    @classmethod
    def of(cls, candidates: Iterable[Candidate]) -> Matcher:
        matcher = cls()
        for candidate in candidates:
            if is_exact(candidate.key):
                matcher.exact[candidate.key].append(candidate)
            elif "*" in candidate.key:
                matcher.variable.append((compile_pattern(candidate.key), candidate))
            else:
                matcher.fixed[len(candidate.key)].append((compile_pattern(candidate.key), candidate))
        return matcher

    def match(self, plate: str, at: datetime, *, max_unknown: int) -> list[int]:
        """Ids of the entries a read plate matches at ``at`` (expired entries skipped), each once."""
        key = canonical(plate)
        unknown = key.count("?")
        if unknown > max_unknown:
            return []
        found: list[Candidate] = []
        if unknown:
            # The read is the pattern here: its `?` may be any character of a full plate of the same length.
            read = compile_pattern(key)
            found += [c for k, cs in self.exact.items() if len(k) == len(key) and read.fullmatch(k) for c in cs]
        else:
            found += self.exact.get(key, [])
            found += [c for regex, c in self.fixed.get(len(key), []) if regex.fullmatch(key)]
            found += [c for regex, c in self.variable if regex.fullmatch(key)]
        seen: set[int] = set()
        ids = []
        for candidate in found:
            if candidate.entry_id in seen or (candidate.valid_until is not None and candidate.valid_until < at):
                continue
            seen.add(candidate.entry_id)
            ids.append(candidate.entry_id)
        return ids
