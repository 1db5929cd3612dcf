"""What feedback is about: an answered appeal or a closed incident, read through their domains' services."""

# Appeals are a sibling domain built alongside this one; its service is looked up when first needed so this
# package loads (and its incident half works) on a tree without it. Nothing here writes the other domains.

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

from sqlalchemy.orm import Session

from qorgau.core.errors import Conflict, QorgauError
from qorgau.districts import service as districts_service
from qorgau.feedback.enums import SubjectKind
from qorgau.incidents import service as incidents_service

APPEAL_ANSWERED = "answered"  # the appeals domain's state of an answered appeal
INCIDENT_CLOSED = "closed"


@dataclass(frozen=True)
class Subject:
    """The appeal or incident with the district and inspector its feedback counts for."""

    kind: SubjectKind
    id: int
    number: str
    district_id: int | None
    inspector_id: int | None
    simulated: bool
    finished: bool  # answered (appeal) or closed (incident): only then may the resident be asked


def _appeals_service() -> ModuleType:
    try:
        return importlib.import_module("qorgau.appeals.service")
    except ImportError as missing:  # a tree without the appeals domain: feedback on incidents only
        raise QorgauError("feedback.appeals_unavailable", status=422) from missing


def appeal(session: Session, appeal_id: int) -> Subject:
    """An appeal routed to its district and inspector; 404 `appeals.not_found`."""
    found = _appeals_service().get(session, appeal_id)
    return Subject(kind=SubjectKind.APPEAL, id=found.id, number=str(found.number), district_id=found.district_id,
                   inspector_id=found.inspector_id, simulated=bool(found.simulated),
                   finished=str(found.state) == APPEAL_ANSWERED)


def _district_inspector(session: Session, lon: float | None, lat: float | None, at: datetime
                        ) -> tuple[int | None, int | None]:
    """The district the position lay in at ``at`` and its inspector (the lowest user id when it has several)."""
    if lon is None or lat is None:
        return None, None
    district = districts_service.district_at(session, lon, lat, at)
    if district is None:
        return None, None
    inspectors = sorted(i.user_id for i in district.inspectors)
    return district.id, inspectors[0] if inspectors else None


def incident(session: Session, incident_id: int) -> Subject:
    """An incident with the district its position fell into when it was received; 404 `incidents.not_found`."""
    found = incidents_service.get(session, incident_id)
    district_id, inspector_id = _district_inspector(session, found.lon, found.lat, found.received_at)
    # An incident closed as a duplicate was handled under the one it was merged into: ask about that one.
    finished = found.state == INCIDENT_CLOSED and found.merged_into_id is None
    return Subject(kind=SubjectKind.INCIDENT, id=found.id, number=found.number, district_id=district_id,
                   inspector_id=inspector_id, simulated=found.simulated, finished=finished)


def resolve(session: Session, *, appeal_id: int | None, incident_id: int | None) -> Subject:
    """The subject named by exactly one of the ids (the schemas check that), refused if not finished yet."""
    subject = appeal(session, appeal_id) if appeal_id is not None else incident(session, incident_id or 0)
    if not subject.finished:
        raise Conflict("feedback.not_finished", params={"kind": str(subject.kind), "number": subject.number})
    return subject
