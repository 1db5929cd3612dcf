"""Likely duplicates of an incident, and merging a duplicate into the incident it repeats. Functions never commit.

A duplicate is an open incident of the same category received within minutes of the other, at the same address
or close by: two 102 calls about one fight, or a call and the school's panic button. Merging closes the duplicate
as merged into the other; its notes move there, its alarm, cameras and units are linked there, both timelines say
so, and the merge is audited and published.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.bus import Context, publish
from qorgau.core.errors import Conflict
from qorgau.core.time import utcnow
from qorgau.incidents import service
from qorgau.incidents.enums import OPEN_STATES, IncidentAction, LinkKind
from qorgau.incidents.events import MERGED, IncidentMerged
from qorgau.incidents.models import Incident, IncidentLink, IncidentNote

# The web board flags duplicates by the same rule (web/src/desks/incidents/duplicates.ts): keep them equal.
DUPLICATE_WINDOW = timedelta(minutes=30)
DUPLICATE_RADIUS_M = 200.0
_EARTH_RADIUS_M = 6_371_008.8


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine); exact enough at a town's scale."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _same_address(a: str | None, b: str | None) -> bool:
    def norm(text: str) -> str:
        return " ".join(text.casefold().replace(",", " ").replace(".", " ").split())
    return bool(a and b and norm(a) == norm(b))


def is_likely_duplicate(a: Incident, b: Incident) -> bool:
    if a.id == b.id or a.category != b.category or abs(a.received_at - b.received_at) > DUPLICATE_WINDOW:
        return False
    if _same_address(a.address, b.address):
        return True
    if None in (a.lon, a.lat, b.lon, b.lat):
        return False
    return distance_m(a.lon, a.lat, b.lon, b.lat) <= DUPLICATE_RADIUS_M  # type: ignore[arg-type]


def likely_duplicates(session: Session, incident: Incident) -> list[Incident]:
    """Open incidents that probably report the same event as ``incident``, the earliest received first."""
    candidates = session.scalars(select(Incident).where(
        Incident.id != incident.id, Incident.category == incident.category,
        Incident.state.in_([str(s) for s in OPEN_STATES]),
        Incident.received_at >= incident.received_at - DUPLICATE_WINDOW,
        Incident.received_at <= incident.received_at + DUPLICATE_WINDOW,
    ).order_by(Incident.received_at, Incident.id))
    return [c for c in candidates if is_likely_duplicate(incident, c)]


def merge(session: Session, *, duplicate_id: int, into_id: int, actor: audit.Actor, ctx: Context) -> Incident:
    """Close ``duplicate_id`` as merged into ``into_id``; both must be open and different. Returns the kept one."""
    if duplicate_id == into_id:
        raise Conflict("incidents.merge_same", params={"id": into_id})
    # Rows locked in id order, so two merges of the same pair cannot deadlock.
    first, second = sorted((duplicate_id, into_id))
    locked = {first: service.get(session, first, lock=True), second: service.get(session, second, lock=True)}
    duplicate, kept = locked[duplicate_id], locked[into_id]
    for incident in (duplicate, kept):
        if incident.state not in OPEN_STATES:
            raise Conflict("incidents.merge_not_open", params={"number": incident.number, "state": incident.state})
    now = utcnow()
    who = actor.ref
    session.execute(update(IncidentNote).where(IncidentNote.incident_id == duplicate.id)
                    .values(incident_id=kept.id))
    for link in session.scalars(select(IncidentLink).where(IncidentLink.incident_id == duplicate.id)).all():
        service.link(session, incident=kept, kind=LinkKind(link.kind), ref=link.ref, actor=who)
    if duplicate.alarm_id is not None:
        service.link(session, incident=kept, kind=LinkKind.ALARM, ref=str(duplicate.alarm_id), actor=who)
    service.link(session, incident=kept, kind=LinkKind.INCIDENT, ref=duplicate.number, actor=who)
    session.add(IncidentNote(incident_id=kept.id, at=now, author=who,
                             text=f"{duplicate.number} → {kept.number}: {duplicate.description or ''}".strip()))
    duplicate.merged_into_id = kept.id
    kept.updated_at = now
    service.close_as_merged(session, duplicate, actor=who, ctx=ctx, at=now, reason=f"merged into {kept.number}")
    audit.record(session, action=IncidentAction.MERGE, actor=actor, target_type="incident",
                 target_id=duplicate.number, details={"into": kept.number})
    publish(session, MERGED, subject_id=str(kept.id), ctx=ctx, payload=IncidentMerged(
        incident_id=kept.id, number=kept.number, duplicate_id=duplicate.id, duplicate_number=duplicate.number))
    return kept

