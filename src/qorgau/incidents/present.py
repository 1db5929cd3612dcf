"""How an incident is shown: the board row and the full detail (timeline, links, nearest cameras)."""

from __future__ import annotations

from sqlalchemy.orm import Session, object_session

from qorgau.auth import people
from qorgau.auth.service import Principal
from qorgau.core.db import Database
from qorgau.devices import places as device_places
from qorgau.incidents import places, service
from qorgau.incidents.models import Incident
from qorgau.incidents.schemas import CameraRead, IncidentDetail, IncidentRead, LinkRead, NoteRead, TransitionRead

NEAREST_CAMERAS = 5


def actor_of(principal: Principal) -> str:
    return f"user:{principal.user_id}"


def to_read(incident: Incident) -> IncidentRead:
    read = IncidentRead.model_validate(incident)
    read.allowed = service.allowed_now(incident)
    session = object_session(incident)
    read.area_names = places.area_names(session, incident.area) if session is not None else None
    return read


def detail(db: Session, database: Database, incident: Incident, *, with_caller: bool) -> IncidentDetail:
    """An incident with its timeline, links, the people in them, its place and the cameras for its location: the
    alarm site's own first, then those that see it (best first), then those near it."""
    transitions, notes, links = service.timeline(db, incident.id)
    cameras = []
    place = places.place_of(db, incident)
    if incident.lon is not None and incident.lat is not None:
        found = device_places.cameras_for(database, db, incident.lon, incident.lat, NEAREST_CAMERAS,
                                          site_code=place.site_code if place else None)
        cameras = [CameraRead(code=c.code, name_kk=c.name_kk, name_ru=c.name_ru, name_en=c.name_en, lon=c.lon,
                              lat=c.lat, distance_m=c.distance_m, score=c.score, own_site=c.own_site, sees=c.sees)
                   for c in found]
    actors = [t.actor for t in transitions] + [n.author for n in notes] + [k.actor for k in links]
    return IncidentDetail(
        **to_read(incident).model_dump(),
        caller_name=incident.caller_name if with_caller else None,
        caller_phone=incident.caller_phone if with_caller else None,
        transitions=[TransitionRead.model_validate(t) for t in transitions],
        notes=[NoteRead.model_validate(n) for n in notes], links=[LinkRead.model_validate(k) for k in links],
        cameras=cameras, place=place,
        people=people.by_actor(db, actors))
