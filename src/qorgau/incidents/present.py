"""How an incident is shown: the board row and the full detail (timeline, links, nearest cameras)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qorgau.auth.service import Principal
from qorgau.core.db import Database
from qorgau.devices import nearest
from qorgau.incidents import service
from qorgau.incidents.models import Incident
from qorgau.incidents.schemas import CameraRead, IncidentDetail, IncidentRead, LinkRead, NoteRead, TransitionRead

NEAREST_CAMERAS = 5


def actor_of(principal: Principal) -> str:
    return f"user:{principal.user_id}"


def to_read(incident: Incident) -> IncidentRead:
    read = IncidentRead.model_validate(incident)
    read.allowed = service.allowed_now(incident)
    return read


def detail(db: Session, database: Database, incident: Incident, *, with_caller: bool) -> IncidentDetail:
    """An incident with its timeline, links and the cameras that can see its location (best first)."""
    transitions, notes, links = service.timeline(db, incident.id)
    cameras = []
    if incident.lon is not None and incident.lat is not None:
        cameras = [CameraRead(code=s.camera.code, name_kk=s.camera.name_kk, name_ru=s.camera.name_ru,
                              lon=s.camera.lon, lat=s.camera.lat, distance_m=round(s.distance_m, 1),
                              score=round(s.score, 4))
                   for s in nearest.query(database, db, incident.lon, incident.lat, NEAREST_CAMERAS)]
    return IncidentDetail(
        **to_read(incident).model_dump(),
        caller_name=incident.caller_name if with_caller else None,
        caller_phone=incident.caller_phone if with_caller else None,
        transitions=[TransitionRead.model_validate(t) for t in transitions],
        notes=[NoteRead.model_validate(n) for n in notes], links=[LinkRead.model_validate(k) for k in links],
        cameras=cameras)
