"""Name keys that match Kazakh, Russian and Latin spellings of the same place, case-insensitively."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Cyrillic (Russian and Kazakh letters) to a plain Latin skeleton; Latin input goes through the same folding,
# so "Ақсай", "Аксай", "Aksay", "Aqsai" all become "aksai".
_CYRILLIC = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o",
    "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "h",
    "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}
# Latin folds applied after transliteration: y/j → i, q → k, x → h, w → v, doubled letters kept single.
_LATIN_FOLD = str.maketrans({"y": "i", "j": "i", "q": "k", "x": "h", "w": "v"})
_DIGRAPHS = (("kh", "h"), ("ts", "c"), ("ch", "c"), ("sh", "s"), ("zh", "z"))
_NON_WORD = re.compile(r"[^0-9a-z]+")
_REPEATS = re.compile(r"(.)\1+")

# Words that say "street", "microdistrict" or "house" rather than name one (kk/ru/en and abbreviations);
# folded below like any input, so each is written once in its natural spelling.
_STREET = ("ул", "улица", "көше", "көшесі", "street", "st", "str", "проспект", "пр", "просп", "avenue", "ave",
           "даңғыл", "даңғылы", "переулок", "пер", "тупик", "проезд", "шоссе", "бульвар", "road", "rd", "lane",
           "ulitsa", "ulica", "koshesi")
_MICRODISTRICT = ("мкр", "мкрн", "мк", "микрорайон", "микрорайона", "шағын", "аудан", "ауданы", "ш", "а",
                  "microdistrict", "md", "mcr", "mikroraion")
_HOUSE = ("д", "дом", "үй", "house", "no", "n", "№", "nomer")


def fold(text: str) -> str:
    """Lower-case Latin skeleton of a text: transliterated, accents and punctuation removed, words kept."""
    lowered = unicodedata.normalize("NFC", text).casefold()
    latin = "".join(_CYRILLIC.get(ch, ch) for ch in lowered)
    latin = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode().lower()
    latin = latin.translate(_LATIN_FOLD)
    previous = None
    while latin != previous:  # until stable, so that folding a folded text changes nothing
        previous = latin
        for digraph, letter in _DIGRAPHS:
            latin = latin.replace(digraph, letter)
        latin = _REPEATS.sub(r"\1", latin)
    return " ".join(_NON_WORD.sub(" ", latin).split())


def words(text: str) -> list[str]:
    return fold(text).split()


def name_key(text: str, *, drop: frozenset[str] | None = None) -> str:
    """The key of a name: its folded words without generic words such as "street" (kept if nothing else)."""
    parts = words(text)
    kept = [w for w in parts if w not in (STREET_WORDS if drop is None else drop)]
    return "".join(kept or parts)


def search_key(names: Iterable[str | None]) -> str:
    """Keys of all of a place's names, "|"-separated and "|"-framed, for substring search in SQL."""
    keys = sorted({fold(n).replace(" ", "") for n in names if n} | {name_key(n) for n in names if n})
    return "|" + "|".join(k for k in keys if k) + "|"


STREET_WORDS = frozenset(fold(w) for w in _STREET)
MICRODISTRICT_WORDS = frozenset(fold(w) for w in _MICRODISTRICT)
HOUSE_WORDS = frozenset(fold(w) for w in _HOUSE) - {""}


def romanize(text: str) -> str:
    """A readable Latin spelling of a Cyrillic name (for English labels the sources do not give)."""
    out = []
    for ch in text:
        latin = _CYRILLIC.get(ch.lower())
        if latin is None:
            out.append(ch)
        else:
            out.append(latin.capitalize() if ch.isupper() else latin)
    return "".join(out)
