"""Region codes on Kazakhstan's plates: the 2012 two-digit codes and the 1993 region letters, with names kk/ru/en.

Source of the two-digit codes: the Order of the Minister of Internal Affairs on state registration plates (2012
standard, ST RK 1901) as summarised in "Vehicle registration plates of Kazakhstan" (Wikipedia), with the codes added
for Shymkent (2018) and the regions formed in 2022 (Abai, Zhetysu, Ulytau). The 1993 letters come from the same
summary (its copy at https://wikimili.com/en/Vehicle_registration_plates_of_Kazakhstan, old area code column) and are
marked unverified in ADR 0040: they were written down from that summary, not from the order itself. That copy gives
some regions two or three letters; O and W each stand for two regions there (O: Akmola and North Kazakhstan; W:
Akmola and Kostanay), so neither is taken: a plate with them names no region we could be sure of.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Region:
    """One region of Kazakhstan as a plate names it."""

    code: str
    en: str
    ru: str
    kk: str


_REGIONS_2012: tuple[Region, ...] = (
    Region("01", "Astana", "Астана", "Астана"),
    Region("02", "Almaty", "Алматы", "Алматы"),
    Region("03", "Akmola Region", "Акмолинская область", "Ақмола облысы"),
    Region("04", "Aktobe Region", "Актюбинская область", "Ақтөбе облысы"),
    Region("05", "Almaty Region", "Алматинская область", "Алматы облысы"),
    Region("06", "Atyrau Region", "Атырауская область", "Атырау облысы"),
    Region("07", "West Kazakhstan Region", "Западно-Казахстанская область", "Батыс Қазақстан облысы"),
    Region("08", "Jambyl Region", "Жамбылская область", "Жамбыл облысы"),
    Region("09", "Karaganda Region", "Карагандинская область", "Қарағанды облысы"),
    Region("10", "Kostanay Region", "Костанайская область", "Қостанай облысы"),
    Region("11", "Kyzylorda Region", "Кызылординская область", "Қызылорда облысы"),
    Region("12", "Mangystau Region", "Мангистауская область", "Маңғыстау облысы"),
    Region("13", "Turkistan Region", "Туркестанская область", "Түркістан облысы"),
    Region("14", "Pavlodar Region", "Павлодарская область", "Павлодар облысы"),
    Region("15", "North Kazakhstan Region", "Северо-Казахстанская область", "Солтүстік Қазақстан облысы"),
    Region("16", "East Kazakhstan Region", "Восточно-Казахстанская область", "Шығыс Қазақстан облысы"),
    Region("17", "Shymkent", "Шымкент", "Шымкент"),
    Region("18", "Abai Region", "Абайская область", "Абай облысы"),
    Region("19", "Jetisu Region", "Область Жетісу", "Жетісу облысы"),
    Region("20", "Ulytau Region", "Улытауская область", "Ұлытау облысы"),
)

# 1993–2012 standard: one Latin letter for the region (unverified, see the module docstring).
_REGIONS_1993: tuple[Region, ...] = (
    Region("A", "Almaty", "Алматы", "Алматы"),
    Region("B", "Almaty Region", "Алматинская область", "Алматы облысы"),
    Region("V", "Almaty Region", "Алматинская область", "Алматы облысы"),
    Region("C", "Akmola Region", "Акмолинская область", "Ақмола облысы"),
    Region("D", "Aktobe Region", "Актюбинская область", "Ақтөбе облысы"),
    Region("E", "Atyrau Region", "Атырауская область", "Атырау облысы"),
    Region("F", "East Kazakhstan Region", "Восточно-Казахстанская область", "Шығыс Қазақстан облысы"),
    Region("U", "East Kazakhstan Region", "Восточно-Казахстанская область", "Шығыс Қазақстан облысы"),
    Region("H", "Jambyl Region", "Жамбылская область", "Жамбыл облысы"),
    Region("L", "West Kazakhstan Region", "Западно-Казахстанская область", "Батыс Қазақстан облысы"),
    Region("K", "Karaganda Region", "Карагандинская область", "Қарағанды облысы"),
    Region("M", "Karaganda Region", "Карагандинская область", "Қарағанды облысы"),
    # The first table had N and P the other way round; the summary at hand has P Kostanay and N Kyzylorda.
    Region("N", "Kyzylorda Region", "Кызылординская область", "Қызылорда облысы"),
    Region("P", "Kostanay Region", "Костанайская область", "Қостанай облысы"),
    Region("R", "Mangystau Region", "Мангистауская область", "Маңғыстау облысы"),
    Region("S", "Pavlodar Region", "Павлодарская область", "Павлодар облысы"),
    Region("T", "North Kazakhstan Region", "Северо-Казахстанская область", "Солтүстік Қазақстан облысы"),
    Region("X", "South Kazakhstan Region", "Южно-Казахстанская область", "Оңтүстік Қазақстан облысы"),
    Region("Z", "Astana", "Астана", "Астана"),
)

REGIONS_BY_CODE: dict[str, Region] = {region.code: region for region in _REGIONS_2012}
REGIONS_BY_LETTER: dict[str, Region] = {region.code: region for region in _REGIONS_1993}
