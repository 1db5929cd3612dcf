"""Kazakhstan's plate formats as data, and a parser that turns an OCR string into ranked plate candidates.

A read is matched against every format of its length; confusable characters are resolved by position (a letter
slot turns 0 into O, a digit slot turns O into 0) and each substitution lowers the candidate's plausibility.
Nothing that fits no format is returned: the parser never invents a plate. The formats, their sources and what is
unverified are written down in ADR 0040.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from qorgau.roads.plates.regions import REGIONS_BY_CODE, REGIONS_BY_LETTER, Region

UNKNOWN = "?"
LATIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Russian plates use only the twelve Cyrillic letters that look like Latin ones (GOST R 50577); read as Latin.
RUSSIAN_LETTERS = frozenset("ABEKMHOPCTYX")
DIGITS = frozenset("0123456789")

# The OCR reads Cyrillic look-alikes on Russian plates; they are the same glyphs, so no substitution is counted.
_CYRILLIC_TO_LATIN = str.maketrans("АВЕКМНОРСТУХавекмнорстух", "ABEKMHOPCTYXABEKMHOPCTYX")
# Position decides: the first map is used in a letter slot, the second in a digit slot.
_DIGIT_AS_LETTER: Mapping[str, str] = {"0": "O", "8": "B", "1": "I", "5": "S", "2": "Z", "6": "G"}
_LETTER_AS_DIGIT: Mapping[str, str] = {
    "O": "0", "Q": "0", "D": "0", "U": "0", "B": "8", "I": "1", "L": "1", "J": "1", "T": "7", "S": "5", "Z": "2",
    "G": "6",
}

SUBSTITUTION_PENALTY = 0.12
UNKNOWN_PENALTY = 0.2
MAX_UNKNOWN = 3
EXTRA_GLYPH_PENALTY = 0.15


class Country(StrEnum):
    """Issuing country of a plate format."""

    KAZAKHSTAN = "KZ"
    RUSSIA = "RU"


class Slot(StrEnum):
    """What one position of a format holds."""

    DIGIT = "9"
    LETTER = "A"
    RUSSIAN_LETTER = "R"


class RegionKind(StrEnum):
    """How a format names its region."""

    KZ_CODE = "kz_code"
    KZ_LETTER = "kz_letter"
    RU_CODE = "ru_code"
    NONE = "none"  # the plate names no region (a diplomatic mission's plate names its mission)


class Series(StrEnum):
    """Who a plate is issued to: the ordinary series and the special ones."""

    PRIVATE = "private"
    LEGAL_ENTITY = "legal_entity"
    POLICE = "police"
    MILITARY = "military"
    DIPLOMATIC = "diplomatic"
    TRANSIT = "transit"
    TRAILER = "trailer"
    MOTORCYCLE = "motorcycle"


# The governing texts of Kazakh plates (ADR 0044): the national standard СТ РК 986-2012 "Знаки государственные
# регистрационные номерные со световозвращающей поверхностью для механических транспортных средств и их прицепов
# и заготовки для знаков", and the forms and samples of the plates approved by Order of the Minister of Internal
# Affairs No. 1040 of 19 December 2015 (registered by the Ministry of Justice on 20 January 2016, No. 12892).
KZ_SOURCES = "СТ РК 986-2012; MVD Order No. 1040 of 19.12.2015 (forms and samples of plates)"
# The secondary sources the special series were written from (ADR 0040 says what each gave and what it did not).
WIKIMILI = "https://wikimili.com/en/Vehicle_registration_plates_of_Kazakhstan"
DEWIKI = "https://de.wiki.li/Kfz-Kennzeichen_(Kasachstan)"
ESWIKI = ("https://es.wiki7.org/wiki/Индекс_автомобильных_номеров_Казахстана (a translation of the Russian "
          "Wikipedia article)")


@dataclass(frozen=True, slots=True)
class PlateFormat:
    """One plate format: its slots, how its text is grouped for display and where the region sits."""

    code: str
    country: Country
    slots: str
    groups: tuple[int, ...]
    region_span: tuple[int, int]
    region_kind: RegionKind
    prior_penalty: float
    verified: bool
    description: str
    series: Series = Series.PRIVATE
    # Spans that hold one of a few fixed series marks (start, end, the marks), e.g. D or T on a diplomatic plate.
    fixed: tuple[tuple[int, int, frozenset[str]], ...] = ()
    source: str = ""
    # Rows of characters on the plate: a two-row (square) plate's text cannot be told from a one-row plate's by
    # its characters alone, so a two-row format is only tried when the reader saw two rows (`parse(rows=2)`).
    rows: int = 1
    # The ordinary format whose text this one narrows by its fixed marks (KP on the legal-entity layout): a read
    # that fits both is the special one, and the ordinary reading of the same text is dropped.
    refines: str = ""


FORMATS: tuple[PlateFormat, ...] = (
    PlateFormat("kz_2012_private", Country.KAZAKHSTAN, "999AAA99", (3, 3, 2), (6, 8), RegionKind.KZ_CODE,
                0.0, True, "Since 2012, private: three digits, three letters, region code (123 ABC 07)."),
    PlateFormat("kz_2012_legal", Country.KAZAKHSTAN, "999AA99", (3, 2, 2), (5, 7), RegionKind.KZ_CODE,
                0.02, True, "Since 2012, legal entities: three digits, two letters, region code (123 AB 07).",
                series=Series.LEGAL_ENTITY),
    PlateFormat("kz_1993_private", Country.KAZAKHSTAN, "A999AAA", (1, 3, 3), (0, 1), RegionKind.KZ_LETTER,
                0.08, False, "1993-2012, still on the road: region letter, three digits, three letters (L 123 ABC)."),
    # Special series, each ranked below every ordinary format (prior 0.10). Where their sources stop, see ADR 0040
    # and SERIES_NOT_MODELLED.
    PlateFormat("kz_diplomatic", Country.KAZAKHSTAN, "999A999", (3, 1, 3), (0, 0), RegionKind.NONE,
                0.10, False, "Diplomatic (white on red): the mission's three-digit code, D (diplomatic staff) or T "
                "(technical staff), a three-digit number (041 D 123).", series=Series.DIPLOMATIC,
                fixed=((3, 4, frozenset({"D", "T"})),),
                source=f"{KZ_SOURCES}; white on red: {WIKIMILI}; D/T marks as described by the olx.kz plate guide; "
                       "the layout follows the mission-code plates of GOST R 50577 types 9-10 that the 1993 plates "
                       "shared; not checked against the order's annex"),
    PlateFormat("kz_police", Country.KAZAKHSTAN, "999AA99", (3, 2, 2), (5, 7), RegionKind.KZ_CODE,
                0.10, False, "Police (MVD), 2012 layout: dark-blue characters, the series letters KP in the "
                "legal-entity layout, region code (123 KP 02).", series=Series.POLICE,
                fixed=((3, 5, frozenset({"KP"})),), refines="kz_2012_legal",
                source=f"{KZ_SOURCES}; KP and dark-blue characters: {DEWIKI}; KP under the MVD: {WIKIMILI}; "
                       "three digits before KP and the region box assumed from the legal-entity layout; not checked "
                       "against the order's annex"),
    PlateFormat("kz_motorcycle", Country.KAZAKHSTAN, "999AAA99", (3, 3, 2), (6, 8), RegionKind.KZ_CODE,
                0.10, False, "Motorcycle, square plate in two rows: three digits over three letters and the region "
                "code (123 / ABC 07).", series=Series.MOTORCYCLE, rows=2,
                source=f"{KZ_SOURCES}; motorcycles under СТ РК 986-2012: mgorod.kz (Minister's answer, 2013); the "
                       f"two-row split (digits over letters) follows the 1993 square plate in {ESWIKI}; the 2012 "
                       "characters assumed to be the private plate's; size and row split not checked"),
    PlateFormat("ru_private_2", Country.RUSSIA, "R999RR99", (6, 2), (6, 8), RegionKind.RU_CODE,
                0.04, True, "Russia, GOST R 50577 type 1 with a two-digit region (A123BC 64)."),
    PlateFormat("ru_private_3", Country.RUSSIA, "R999RR999", (6, 3), (6, 9), RegionKind.RU_CODE,
                0.04, True, "Russia, GOST R 50577 type 1 with a three-digit region (A123BC 164)."),
)
FORMATS_BY_CODE: dict[str, PlateFormat] = {plate_format.code: plate_format for plate_format in FORMATS}
# Special series whose layout no source at hand gives precisely enough to write slots down: a wrong pattern would
# turn misreads into plausible plates (ADR 0040), so their reads fit no format and stay unread rather than forced.
SERIES_NOT_MODELLED: dict[Series, str] = {
    Series.MILITARY: "Armed Forces plates are issued by the Ministry of Defence outside the MVD order; the sources at "
                     "hand name them (de.wiki.li: a caption) but give neither layout nor colour",
    Series.TRANSIT: "transit plates exist (egov.kz lists 'Transit' signs and their fee) but no source at hand gives "
                    "their characters, colour or size",
    Series.TRAILER: "trailer plates exist (egov.kz: their own fee; de.wiki.li: a caption for the 1993 ones) but no "
                    "source at hand gives their 2012 layout",
}

# Text printed beside the characters that the OCR may pick up with them: the KZ band, Russia's RUS.
_BAND_PREFIXES = ("KZ",)
_BAND_SUFFIXES = ("RUS",)
_NOT_PLATE_TEXT = re.compile(r"[^0-9A-Z?]")


@dataclass(frozen=True, slots=True)
class PlateCandidate:
    """One way of reading a raw OCR string as a plate of a known format."""

    text: str
    format_code: str
    country: Country
    region_code: str | None
    region: Region | None
    substitutions: int
    unknown: int
    penalty: float

    @property
    def display(self) -> str:
        """The text grouped as it is printed (123 ABC 07)."""
        groups = FORMATS_BY_CODE[self.format_code].groups
        parts: list[str] = []
        start = 0
        for length in groups:
            parts.append(self.text[start:start + length])
            start += length
        return " ".join(parts)

    @property
    def series(self) -> Series:
        """Who the plate is issued to (private, legal entity, diplomatic …)."""
        return FORMATS_BY_CODE[self.format_code].series

    @property
    def special(self) -> bool:
        """Whether the plate is of a special series (diplomatic …), not an ordinary private or legal one."""
        return self.series not in (Series.PRIVATE, Series.LEGAL_ENTITY)

    @property
    def foreign(self) -> bool:
        """Whether the plate was issued outside Kazakhstan."""
        return self.country is not Country.KAZAKHSTAN

    @property
    def complete(self) -> bool:
        """Whether every character is known."""
        return self.unknown == 0

    @property
    def plausibility(self) -> float:
        """1 for a clean read of the commonest format, lower with each substitution, unknown and rarer format."""
        return max(0.0, 1.0 - self.penalty)


def normalize(raw: str) -> str:
    """Upper-case Latin letters, digits and `?` only: spaces, dashes and frames dropped, Cyrillic made Latin."""
    return _NOT_PLATE_TEXT.sub("", raw.translate(_CYRILLIC_TO_LATIN).upper())


def _fit_slot(char: str, slot: Slot) -> tuple[str, bool] | None:
    """The character a slot would hold for this read, and whether it was substituted; None when it cannot fit."""
    if char == UNKNOWN:
        return char, False
    if slot is Slot.DIGIT:
        if char in DIGITS:
            return char, False
        digit = _LETTER_AS_DIGIT.get(char)
        return (digit, True) if digit is not None else None
    alphabet = RUSSIAN_LETTERS if slot is Slot.RUSSIAN_LETTER else LATIN
    if char in alphabet:
        return char, False
    letter = _DIGIT_AS_LETTER.get(char)
    return (letter, True) if letter is not None and letter in alphabet else None


def _region(region_text: str, kind: RegionKind) -> tuple[bool, Region | None]:
    """Whether the region part is acceptable for the format, and the region it names (None when not known)."""
    if kind is RegionKind.NONE:
        return True, None
    if UNKNOWN in region_text:
        return True, None
    if kind is RegionKind.KZ_CODE:
        region = REGIONS_BY_CODE.get(region_text)
        return region is not None, region
    if kind is RegionKind.KZ_LETTER:
        region = REGIONS_BY_LETTER.get(region_text)
        return region is not None, region
    # Russia: 01-99, and three-digit codes beginning 1, 7 or 9 (102, 116, 750, 977 ...).
    if len(region_text) == 3:
        return region_text[0] in "179", None
    return region_text != "00", None


def _match(text: str, plate_format: PlateFormat) -> PlateCandidate | None:
    """The candidate this text makes in this format, or None when it does not fit."""
    if len(text) != len(plate_format.slots):
        return None
    fitted: list[str] = []
    substitutions = 0
    for char, slot_code in zip(text, plate_format.slots, strict=True):
        fit = _fit_slot(char, Slot(slot_code))
        if fit is None:
            return None
        fitted.append(fit[0])
        substitutions += int(fit[1])
    unknown = fitted.count(UNKNOWN)
    # A read that is mostly unknown says too little to be a plate.
    if unknown > MAX_UNKNOWN or unknown * 2 >= len(fitted):
        return None
    result = "".join(fitted)
    # A series mark must be read and be one of the format's own: an unread or other mark is no such plate.
    if any(result[a:b] not in marks for a, b, marks in plate_format.fixed):
        return None
    start, end = plate_format.region_span
    region_text = result[start:end]
    region_ok, region = _region(region_text, plate_format.region_kind)
    if not region_ok:
        return None
    penalty = plate_format.prior_penalty + SUBSTITUTION_PENALTY * substitutions + UNKNOWN_PENALTY * unknown
    return PlateCandidate(
        text=result,
        format_code=plate_format.code,
        country=plate_format.country,
        region_code=None if UNKNOWN in region_text or not region_text else region_text,
        region=region,
        substitutions=substitutions,
        unknown=unknown,
        penalty=round(penalty, 4),
    )


def _variants(text: str) -> list[tuple[str, float]]:
    """The read itself, the read without band text the OCR may have picked up with it, and (at a cost) the read
    without its first glyph: the flag on the left of a Kazakh plate is read as a character often enough that a read
    one glyph too long is worth trying without it (for the Kazakh formats only, see `parse`). Never without its
    last glyph: that turns a partial three-digit Russian region into a complete, wrong two-digit one."""
    variants = [(text, 0.0)]
    variants += [(text[len(prefix):], 0.0) for prefix in _BAND_PREFIXES if text.startswith(prefix)]
    variants += [(text[: -len(suffix)], 0.0) for suffix in _BAND_SUFFIXES if text.endswith(suffix)]
    if len(text) >= 8:
        variants.append((text[1:], EXTRA_GLYPH_PENALTY))
    return variants


def parse(raw: str, *, rows: int = 1) -> list[PlateCandidate]:
    """Every plate the raw OCR text may be, most plausible first; an empty list when it is no plate at all.

    `rows` is how many rows of characters the reader saw (the rows joined top first): only formats of that many
    rows are tried."""
    best: dict[tuple[str, str], PlateCandidate] = {}
    formats = [plate_format for plate_format in FORMATS if plate_format.rows == rows]
    for variant, extra_penalty in _variants(normalize(raw)):
        for plate_format in formats:
            candidate = _match(variant, plate_format)
            if candidate is None or (extra_penalty and candidate.foreign):
                continue
            if extra_penalty:
                candidate = replace(candidate, penalty=round(candidate.penalty + extra_penalty, 4))
            key = (candidate.format_code, candidate.text)
            if key not in best or candidate.penalty < best[key].penalty:
                best[key] = candidate
    # A special format that narrows an ordinary one (KP on the legal layout) names the same text's series.
    refined = {(FORMATS_BY_CODE[code].refines, text) for code, text in best if FORMATS_BY_CODE[code].refines}
    order = {plate_format.code: index for index, plate_format in enumerate(FORMATS)}
    kept = [candidate for key, candidate in best.items() if key not in refined]
    return sorted(kept, key=lambda c: (c.penalty, order[c.format_code], c.text))


def best(raw: str, *, rows: int = 1) -> PlateCandidate | None:
    """The most plausible candidate, or None when the read fits no format."""
    candidates = parse(raw, rows=rows)
    return candidates[0] if candidates else None
