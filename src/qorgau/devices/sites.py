"""Sites of the registry: schools, МОП, intersections, city entries… Functions never commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.core.errors import Conflict, NotFound, QorgauError, ValidationFailed
from qorgau.core.time import utcnow
from qorgau.devices import geo, revision
from qorgau.devices.models import Site
from qorgau.devices.queries import like_pattern
from qorgau.devices.schemas import SiteFields, SitePatch
from qorgau.devices.service import search_text


def get(session: Session, code: str) -> Site:
    site = session.scalars(select(Site).where(Site.code == code.strip().upper())).one_or_none()
    if site is None:
        raise NotFound("devices.site_not_found", params={"code": code})
    return site


def page(session: Session, *, kinds: Sequence[str] = (), subtypes: Sequence[str] = (), text: str | None = None,
         after: str | None, limit: int) -> list[Site]:
    query = select(Site).order_by(Site.code).limit(limit)
    if kinds:
        query = query.where(Site.kind.in_(list(kinds)))
    if subtypes:
        query = query.where(Site.subtype.in_(list(subtypes)))
    if text and text.strip():
        query = query.where(Site.search_text.like(like_pattern(text), escape="\\"))
    if after is not None:
        query = query.where(Site.code > after)
    return list(session.scalars(query))


def _check_position(fields: SiteFields) -> None:
    boundary = geo.district_boundary()
    if boundary is not None and not boundary.contains(fields.lon, fields.lat):
        raise QorgauError("devices.row.outside_district", status=422,
                          params={"field": "lon", "lon": fields.lon, "lat": fields.lat},
                          errors=[{"field": "lon", "message": "outside_district"}])


def _assign(site: Site, fields: SiteFields) -> bool:
    values: dict[str, Any] = fields.model_dump()
    values["kind"] = str(fields.kind)
    values["subtype"] = str(fields.subtype) if fields.subtype else None
    values["search_text"] = search_text(fields.code, fields.name_kk, fields.name_ru, fields.name_en, fields.address)
    changed = False
    for name, value in values.items():
        if getattr(site, name) != value:
            setattr(site, name, value)
            changed = True
    return changed


def upsert(session: Session, fields: SiteFields) -> tuple[Site, bool]:
    """Create the site or bring it to ``fields``; returns it and whether anything changed."""
    _check_position(fields)
    site = session.scalars(select(Site).where(Site.code == fields.code)).one_or_none()
    now = utcnow()
    if site is None:
        site = Site(created_at=now, updated_at=now)
        _assign(site, fields)
        session.add(site)
        session.flush()
        revision.bump(session, registry=True)
        return site, True
    if _assign(site, fields):
        site.updated_at = now
        revision.bump(session, registry=True)  # caches of devices' places (alarm rules, ingest) go stale
        return site, True
    return site, False


def create(session: Session, fields: SiteFields) -> Site:
    if session.scalar(select(Site.id).where(Site.code == fields.code)) is not None:
        raise Conflict("devices.site_exists", params={"code": fields.code})
    return upsert(session, fields)[0]


def update(session: Session, *, code: str, patch: SitePatch) -> Site:
    site = get(session, code)
    current = {name: getattr(site, name) for name in SiteFields.model_fields}
    try:
        fields = SiteFields.model_validate({**current, **patch.model_dump(exclude_unset=True)})
    except ValidationError as exc:
        errors = [{"field": ".".join(map(str, e["loc"])) or "body", "message": e["msg"]} for e in exc.errors()]
        raise ValidationFailed(params={"fields": ", ".join(e["field"] for e in errors)}, errors=errors) from exc
    return upsert(session, fields)[0]
