"""Events of police districts."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type
from qorgau.districts.enums import SetSource


class DistrictSetAccepted(EventPayload):
    set_id: int = Field(description="The new version's id.")
    version: int = Field(description="Its version number for the city model.")
    valid_from: datetime = Field(description="When it takes (or took) effect.")
    source: SetSource = Field(description="seed, import or proposal.")
    districts: int = Field(description="How many districts it has.")


SET_ACCEPTED = event_type("districts.set_accepted", DistrictSetAccepted, subject_type="district_set",
                          description="A new dated version of the police districts was accepted (seed, import or "
                                      "proposal); desks reload the districts, and whatever routes by district "
                                      "reads the set in force at its own time.")
