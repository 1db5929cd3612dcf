"""A plausible initial district set for Aksai (generated): 8 districts over the town, 12 inspectors, their МОП."""

# Aksai has about 36,000 residents; at the norm of 2,500 per inspector it would need 15 inspectors. The seed
# staffs 12 (the four most populous districts get two), so the demo shows districts over the norm, as real
# departments short of inspectors do. Idempotent: nothing happens once any version exists for the model.

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import numpy as np
import shapely
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.auth import service as auth_service
from qorgau.auth.enums import Role
from qorgau.auth.schemas import UserCreate
from qorgau.city import service as city_service
from qorgau.city.aksai import MODEL_NAME
from qorgau.city.geometry import haversine_m
from qorgau.core.bus import Context
from qorgau.core.errors import QorgauError
from qorgau.core.time import utcnow
from qorgau.devices.enums import SiteKind
from qorgau.districts import service
from qorgau.districts.enums import SetSource
from qorgau.districts.figures import sites
from qorgau.districts.proposal import propose

DISTRICTS = 8
RECEPTION_KINDS = (SiteKind.POLICE_POST, SiteKind.RECEPTION_POINT)  # where a district's inspector receives
TOWN_HALF_M = (2000.0, 1500.0)  # the generated town's extent around its centre (city.aksai.build)
DOUBLED = 4  # the most populous districts with two inspectors
INSPECTORS = (
    "Абдрахманов Ерлан Маратұлы", "Сейтқали Айдос Бауыржанұлы", "Нұрланова Гүлнар Серікқызы",
    "Жұмабаев Дәурен Асқарұлы", "Қайыржанов Мұрат Ерболұлы", "Ахметова Айгерім Қанатқызы",
    "Исмаилов Руслан Тимурович", "Бекқожин Арман Нұрланұлы", "Төлеуов Бақытжан Сәкенұлы",
    "Кузнецов Андрей Викторович", "Сапарова Динара Ержанқызы", "Оспанов Талғат Әділбекұлы",
)


def _inspector(session: Session, k: int, name: str, actor: audit.Actor) -> str:
    username = f"uip{k:02d}"
    if auth_service.get_by_username(session, username) is None:
        # A random password nobody knows: the administrator sets a real one when the inspector starts.
        auth_service.create(session, user_in=UserCreate(username=username, display_name=name, role=Role.INSPECTOR,
                                                        password=secrets.token_urlsafe(24), locale="kk"),
                            actor=actor, ctx=Context.system("districts.seed"))
    return username


def _nearest_post(lon: float, lat: float, posts: list[tuple[str, float, float]]) -> str | None:
    if not posts:
        return None
    d = haversine_m(lon, lat, np.array([p[1] for p in posts]), np.array([p[2] for p in posts]))
    return posts[int(np.argmin(d))][0]


def seed_aksai(session: Session, *, actor: audit.Actor, default_reception: dict[str, Any]) -> bool:
    """Store the generated first version for the Aksai model; False when a version exists already."""
    model = city_service.active_model(session)
    if model.name != MODEL_NAME:
        raise QorgauError("districts.seed_needs_aksai", status=409, params={"model": model.name})
    if service.in_force(session, model_id=model.id, when=datetime.max.replace(tzinfo=UTC)) is not None:
        return False
    frame = service.frame_of(model)
    hx, hy = TOWN_HALF_M
    area = shapely.box(-hx, -hy, hx, hy)
    regions = propose(frame, area, service.cells_of(session, model, frame), DISTRICTS)
    order = sorted(range(len(regions)), key=lambda i: -regions[i].residents)
    staff = {i: 2 if rank < DOUBLED else 1 for rank, i in enumerate(order)}
    posts = [(s.code, s.lon, s.lat) for s in sites(session) if s.kind in RECEPTION_KINDS]
    names = iter(enumerate(INSPECTORS, 1))
    features = []
    for k, region in enumerate(regions, 1):
        centre = region.polygon.representative_point()
        lon, lat = frame.point_lonlat(centre.x, centre.y)
        inspectors = [_inspector(session, *next(names), actor) for _ in range(staff[k - 1])]
        features.append({"type": "Feature", "geometry": frame.to_lonlat(region.polygon), "properties": {
            "number": k, "name_kk": f"№{k} учаске", "name_ru": f"Участок №{k}", "name_en": f"District {k}",
            "inspectors": inspectors, "site_code": _nearest_post(lon, lat, posts),
            "contacts": f"+7 71133 3-12-{k:02d} (generated)"}})
    now = utcnow()
    service.accept(session, collection={"type": "FeatureCollection", "area": frame.to_lonlat(area),
                                        "features": features},
                   source=SetSource.SEED, actor=actor, ctx=Context.system("districts.seed"),
                   valid_from=datetime(now.year, 1, 1, tzinfo=UTC),
                   note="generated", generated=True, default_reception=default_reception)
    return True
