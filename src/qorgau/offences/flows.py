"""Cross-domain step: an incident closed in Qorgau in a category that is an offence becomes a draft record."""

# Incidents have no "outcome" field, so the category decides (DRAFT_ARTICLES); a merged duplicate and a simulated
# incident make no draft. A record already imported for the same incident (its number in the extract's
# "Номер происшествия") gets the incident's id instead of a draft: one offence is counted once whichever came
# first. The draft carries no number; the import or a reconcile gives it its ЕРДР or protocol number.

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from qorgau.core.bus import Event
from qorgau.core.bus.dispatch import Subscriber
from qorgau.incidents import service as incident_service
from qorgau.incidents.enums import IncidentState
from qorgau.incidents.events import STATE_CHANGED, IncidentChanged
from qorgau.offences import articles as article_list
from qorgau.offences.enums import PlaceType, RecordSource
from qorgau.offences.models import Offence
from qorgau.offences.placement import Placement
from qorgau.offences.service import LOCAL_ZONE, Candidate, check, store

# Incident category -> the article its draft starts with (the analyst corrects it when the ЕРДР entry arrives).
DRAFT_ARTICLES: dict[str, tuple[str, PlaceType]] = {
    "theft": ("UK-188-1", PlaceType.OTHER),
    "robbery": ("UK-191-1", PlaceType.STREET),
    "assault": ("UK-108-1", PlaceType.OTHER),
    "hooliganism": ("KoAP-434", PlaceType.PUBLIC_PLACE),
    "domestic_conflict": ("KoAP-73", PlaceType.RESIDENCE),
    "drunk_person": ("KoAP-440", PlaceType.PUBLIC_PLACE),
}


def draft_from_incident(session: Session, event: Event[Any]) -> None:
    """Make the draft of a closed incident whose category is an offence (once per incident)."""
    change: IncidentChanged = event.payload
    mapped = DRAFT_ARTICLES.get(change.category)
    if change.state != IncidentState.CLOSED or change.simulated or mapped is None:
        return
    incident = incident_service.get(session, change.incident_id)
    if incident.merged_into_id is not None:
        return
    existing = session.scalars(select(Offence).where(or_(Offence.incident_id == incident.id,
                                                         Offence.call_ref == incident.number))).first()
    if existing is not None:
        existing.incident_id = existing.incident_id or incident.id
        existing.call_ref = existing.call_ref or incident.number
        return
    article_list.ensure(session)
    closed = incident.closed_at or datetime.now(UTC)
    candidate = Candidate(line=1, registered_on=closed.astimezone(LOCAL_ZONE).date(), article_code=mapped[0],
                          committed_at=incident.received_at, place_type=mapped[1], incident_id=incident.id,
                          call_ref=incident.number, lon=incident.lon, lat=incident.lat)
    placement = Placement(session) if incident.lon is not None else None
    known = article_list.by_code(session)
    checked, _ = check(candidate, known=known, placement=placement, today=closed.astimezone(LOCAL_ZONE).date())
    if checked is None:  # a position outside the district: the draft is kept without it
        candidate.lon = candidate.lat = None
        checked, _ = check(candidate, known=known, placement=None, today=closed.astimezone(LOCAL_ZONE).date())
    if checked is not None:
        store(session, checked, source=RecordSource.QORGAU, actor=event.context.actor or "system",
              now=datetime.now(UTC))


def subscribers() -> list[Subscriber]:
    return [Subscriber("offences.drafts", draft_from_incident, frozenset({STATE_CHANGED.name}))]
