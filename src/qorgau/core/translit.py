"""Latin (English) forms of Russian and Kazakh names, for names that have no English form of their own.

The scheme is BGN/PCGN written without diacritics, the way English-language maps and documents spell Russian
and Kazakh names: Russian letters as in BGN/PCGN 1947 (ё yo, ж zh, й y, х kh, ц ts, ч ch, ш sh, щ shch, ы y,
э e, ю yu, я ya, ъ and ь dropped, е as ye at the start of a word and after a vowel or ъ/ь); the nine Kazakh
letters as in BGN/PCGN 1979 Kazakh with its diacritics removed: ә a, ғ gh, қ q, ң ng, ө o, ұ u, ү u, һ h, і i.
So "Ақсай" is "Aqsay", "Школа №10" is "Shkola No. 10", "Шығыс көшесі" is "Shyghys koshesi".
Anything not Cyrillic (Latin letters, digits, punctuation) is kept as it is; "№" becomes "No.".
"""

from __future__ import annotations

import re

_LETTERS = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
    # Kazakh letters beyond the Russian alphabet
    "ә": "a", "ғ": "gh", "қ": "q", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}
_VOWELS = frozenset("аеёиоуыэюяәөұүі")
_YE_AFTER = _VOWELS | {"ъ", "ь"}
_NUMBER_SIGN = re.compile(r"№\s*")


def _letter(previous: str, ch: str, following: str) -> str:
    low = ch.lower()
    latin = _LETTERS.get(low)
    if latin is None:
        return ch
    if low in ("е", "ё") and (not previous.isalpha() or previous.lower() in _YE_AFTER):
        latin = "ye" if low == "е" else "yo"
    if not ch.isupper() or not latin:
        return latin
    # A capital stays one capital ("Шымкент" → "Shymkent") unless the word is written in capitals ("ШҚО").
    return latin.upper() if following.isupper() or (previous.isupper() and not following.isalpha()) \
        else latin.capitalize()


def latin(text: str) -> str:
    """The Latin form of a Cyrillic (Russian or Kazakh) text; Latin text comes back unchanged."""
    text = _NUMBER_SIGN.sub("No. ", text)
    out = []
    for i, ch in enumerate(text):
        previous = text[i - 1] if i else ""
        following = text[i + 1] if i + 1 < len(text) else ""
        out.append(_letter(previous, ch, following))
    return "".join(out)


def english(own: str | None, *names: str | None) -> str:
    """A name's English form: its own when given, else the Latin form of the first name there is."""
    if own and own.strip():
        return own
    return next((latin(n) for n in names if n and n.strip()), "")
