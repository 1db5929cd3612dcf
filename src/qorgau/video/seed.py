"""The camera groups a new installation starts with: one per camera purpose, and school interiors apart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

SCHOOL_INTERIOR = "school_interior"

# code: (kk, ru, en, retention days or None for the setting, roles or None for every role with video:view)
GROUPS: dict[str, tuple[str, str, str, int | None, list[str] | None]] = {
    "public_space": ("Қоғамдық орындар", "Общественные места", "Public spaces", None, None),
    "yard": ("Аулалар", "Дворы", "Yards", None, None),
    "intersection": ("Қиылыстар", "Перекрёстки", "Intersections", None, None),
    "speed": ("Жылдамдық бекеттері", "Контроль скорости", "Speed points", None, None),
    "city_entry_anpr": ("Қалаға кіреберіс (МТН)", "Въезды в город (ГРНЗ)", "City entries (ANPR)", 90, None),
    "social_object": ("Әлеуметтік нысандар", "Социальные объекты", "Social objects", None, None),
    "police_post": ("Полиция бекеттері", "Опорные пункты полиции", "Police posts", None, None),
    "situation_center": ("Жағдаяттық орталық", "Ситуационный центр", "Situation center", None, None),
    SCHOOL_INTERIOR: ("Мектеп ішкі камералары", "Камеры внутри школ", "School interiors", 14,
                      ["supervisor", "inspector"]),
}


def group_rows(now: datetime) -> list[dict[str, Any]]:
    """Rows of `video_groups` for a new database."""
    return [
        {"code": code, "name_kk": kk, "name_ru": ru, "name_en": en, "retention_days": days, "roles": roles,
         "updated_at": now}
        for code, (kk, ru, en, days, roles) in GROUPS.items()
    ]
