"""EIDO export of an incident (NENA-STA-021 JSON), for exchange with other agencies.

Components reference each other by `$ref` to a `componentIdentifier`, as the standard does; the caller appears
as a person component only when the exporter may see personal data.
"""

from __future__ import annotations

import uuid
from typing import Any

from qorgau.core.time import utcnow
from qorgau.incidents.models import Incident, IncidentLink, IncidentNote, IncidentTransition

SENDING_SYSTEM = "qorgau.kz"
AGENCY = "Burlinsky district police department, West Kazakhstan region"
# Our states in the common registry's incident status vocabulary.
STATUS_TEXT = {"new": "Received", "dispatched": "Dispatched", "en_route": "Enroute", "on_scene": "OnScene",
               "on_hold": "Pending", "resolved": "Cleared", "closed": "Closed"}


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def export(incident: Incident, *, transitions: list[IncidentTransition], notes: list[IncidentNote],
           links: list[IncidentLink], with_caller: bool) -> dict[str, Any]:
    """The incident as one EIDO message (messageKind `Report`)."""
    now = utcnow().isoformat()
    inc_id, loc_id, agency_id = f"inc-{incident.id}", f"loc-{incident.id}", "agency-qorgau"
    location: dict[str, Any] = {"componentIdentifier": loc_id, "lastUpdateTimeStamp": _iso(incident.updated_at),
                                "civicAddressText": incident.address, "locationArea": incident.area}
    if incident.lon is not None and incident.lat is not None:
        location["locationByValue"] = {"type": "Point", "coordinates": [incident.lon, incident.lat],
                                       "crs": "urn:ogc:def:crs:EPSG::4326"}
    component: dict[str, Any] = {
        "componentIdentifier": inc_id,
        "incidentTrackingIdentifier": f"urn:emergency:uid:incidentid:{incident.number}:{SENDING_SYSTEM}",
        "localIncidentIdentifier": incident.number,
        "lastUpdateTimeStamp": _iso(incident.updated_at),
        "incidentTypeCommonRegistryText": incident.category,
        "incidentStatusCommonRegistryText": [STATUS_TEXT[incident.state]],
        "incidentPriorityText": str(incident.priority),
        "incidentCreationTimeStamp": _iso(incident.received_at),
        "incidentSource": incident.source,
        "simulated": incident.simulated,
        "locationReference": {"$ref": loc_id},
        "updatedByAgencyReference": {"$ref": agency_id},
        "incidentStageTimeStamps": {
            "received": _iso(incident.received_at), "acknowledged": _iso(incident.acknowledged_at),
            "dispatched": _iso(incident.dispatched_at), "enroute": _iso(incident.en_route_at),
            "onScene": _iso(incident.on_scene_at), "cleared": _iso(incident.resolved_at),
            "closed": _iso(incident.closed_at)},
    }
    message: dict[str, Any] = {
        "$id": f"urn:uuid:{uuid.uuid4()}",
        "eidoMessageIdentifier": f"urn:uuid:{uuid.uuid4()}",
        "sendingSystemIdentifier": SENDING_SYSTEM,
        "lastUpdateTimeStamp": now,
        "messageKind": "Report",
        "incidentComponent": [component],
        "locationComponent": [location],
        "agencyComponent": [{"componentIdentifier": agency_id, "agencyName": AGENCY,
                             "agencyTypeCommonRegistryText": "Police"}],
        "notesComponent": [
            {"componentIdentifier": f"note-{n.id}", "notesEntryTimeStamp": _iso(n.at), "notesActionComment": n.text,
             "authorReference": n.author, "incidentReference": {"$ref": inc_id}} for n in notes
        ] + [
            {"componentIdentifier": f"transition-{t.id}", "notesEntryTimeStamp": _iso(t.at),
             "notesActionComment": f"{t.from_state or '-'} -> {t.to_state}", "authorReference": t.actor,
             "incidentReference": {"$ref": inc_id}} for t in transitions
        ],
        "emergencyResourceComponent": [
            {"componentIdentifier": f"unit-{link.ref}", "resourceIdentifier": link.ref,
             "resourceTypeCommonRegistryText": "Police Unit", "incidentReference": {"$ref": inc_id},
             "assignedTimeStamp": _iso(link.at)} for link in links if link.kind == "unit"
        ],
        "linkedObjects": [{"kind": link.kind, "identifier": link.ref} for link in links if link.kind != "unit"],
    }
    if with_caller and (incident.caller_name or incident.caller_phone):
        message["personComponent"] = [{
            "componentIdentifier": f"person-{incident.id}-caller", "personRoleCommonRegistryText": "Caller",
            "personNameText": incident.caller_name, "personTelephoneNumber": incident.caller_phone,
            "incidentReference": {"$ref": inc_id}}]
    return message
