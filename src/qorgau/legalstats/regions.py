"""The 17 regions and 3 cities of republican significance the official forms are published for."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    """A region or city: its code, names and the caption stat.gov.kz's population table prints for it."""

    code: str
    kk: str
    ru: str
    en: str
    population_caption: str

    def names(self) -> dict[str, str]:
        """The names by language."""
        return {"kk": self.kk, "ru": self.ru, "en": self.en}


# Ordered as the population table orders them (regions, then the three cities).
REGIONS: tuple[Region, ...] = (
    Region("abay", "Абай облысы", "Абайская область", "Abay Region", "Абай"),
    Region("akmola", "Ақмола облысы", "Акмолинская область", "Akmola Region", "Ақмола"),
    Region("aktobe", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region", "Ақтөбе"),
    Region("almaty_region", "Алматы облысы", "Алматинская область", "Almaty Region", "Алматы"),
    Region("atyrau", "Атырау облысы", "Атырауская область", "Atyrau Region", "Атырау"),
    Region("west_kazakhstan", "Батыс Қазақстан облысы", "Западно-Казахстанская область",
           "West Kazakhstan Region", "Батыс Қазақстан"),
    Region("jambyl", "Жамбыл облысы", "Жамбылская область", "Jambyl Region", "Жамбыл"),
    Region("jetisu", "Жетісу облысы", "Область Жетісу", "Jetisu Region", "Жетісу"),
    Region("karaganda", "Қарағанды облысы", "Карагандинская область", "Karaganda Region", "Қарағанды"),
    Region("kostanay", "Қостанай облысы", "Костанайская область", "Kostanay Region", "Қостанай"),
    Region("kyzylorda", "Қызылорда облысы", "Кызылординская область", "Kyzylorda Region", "Қызылорда"),
    Region("mangystau", "Маңғыстау облысы", "Мангистауская область", "Mangystau Region", "Маңғыстау"),
    Region("pavlodar", "Павлодар облысы", "Павлодарская область", "Pavlodar Region", "Павлодар"),
    Region("north_kazakhstan", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область",
           "North Kazakhstan Region", "Солтүстік Қазақстан"),
    Region("turkistan", "Түркістан облысы", "Туркестанская область", "Turkistan Region", "Түркістан облысы"),
    Region("ulytau", "Ұлытау облысы", "Область Ұлытау", "Ulytau Region", "Ұлытау"),
    Region("east_kazakhstan", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область",
           "East Kazakhstan Region", "Шығыс Қазақстан"),
    Region("astana", "Астана қаласы", "город Астана", "Astana", "Астана қаласы"),
    Region("almaty_city", "Алматы қаласы", "город Алматы", "Almaty", "Алматы қаласы"),
    Region("shymkent", "Шымкент қаласы", "город Шымкент", "Shymkent", "Шымкент қаласы"),
)
BY_CODE: dict[str, Region] = {region.code: region for region in REGIONS}
NATIONAL = "kz"  # the code the national total (the sum of the 20) is reported under
NATIONAL_NAMES = {"kk": "Қазақстан Республикасы", "ru": "Республика Казахстан", "en": "Republic of Kazakhstan"}

# The published files are named in English ("West-Kazakhstan Region.XLSX", "Almaty city.XLSX", "Astana.XLSX").
_CITY_WORD = re.compile(r"\bcity\b")
_REGION_WORD = re.compile(r"\bregion\b")


def from_file_name(stem: str) -> Region | None:
    """The region a published file is named after, or None when the name does not say."""
    words = re.sub(r"[^a-z]+", " ", stem.lower()).strip()
    is_city = bool(_CITY_WORD.search(words))
    is_region = bool(_REGION_WORD.search(words))
    bare = " ".join(word for word in words.split() if word not in {"city", "region", "oblast"})
    for region in REGIONS:  # the region's English name as whole words anywhere ("copy of Aktobe region (2).xlsx")
        english = region.en.lower().replace(" region", "")
        if f" {english} " not in f" {bare} ":
            continue
        if region.code == "almaty_region" and (is_city or not is_region):
            continue
        if region.code == "almaty_city" and is_region:
            continue
        return region
    return None
