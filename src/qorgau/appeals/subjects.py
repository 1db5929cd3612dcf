"""The shipped list of appeal subjects, with their names in Kazakh, Russian and English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    code: str
    name_kk: str
    name_ru: str
    name_en: str


SUBJECTS: tuple[Subject, ...] = (
    Subject("noise", "Шу", "Шум", "Noise"),
    Subject("neighbours", "Көршілермен дау", "Конфликт с соседями", "Neighbours"),
    Subject("domestic", "Тұрмыстық жанжал", "Бытовой конфликт", "Domestic conflict"),
    Subject("road_safety", "Жол қауіпсіздігі", "Безопасность дорожного движения", "Road safety"),
    Subject("lighting", "Көше жарығы", "Уличное освещение", "Street lighting"),
    Subject("stray_animals", "Қараусыз жануарлар", "Безнадзорные животные", "Stray animals"),
    Subject("drugs", "Есірткі", "Наркотики", "Drugs"),
    Subject("alcohol_sale", "Алкогольді заңсыз сату", "Незаконная продажа алкоголя", "Illegal alcohol sale"),
    Subject("youth", "Жасөспірімдер", "Несовершеннолетние", "Youth"),
    Subject("fraud", "Алаяқтық", "Мошенничество", "Fraud"),
    Subject("parking", "Көлік тұрағы", "Парковка", "Parking"),
    Subject("public_order", "Қоғамдық тәртіп", "Общественный порядок", "Public order"),
    Subject("other", "Басқа", "Другое", "Other"),
)
CODES = frozenset(s.code for s in SUBJECTS)
