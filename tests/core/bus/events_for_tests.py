"""Event types used only by the bus tests."""

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type
from qorgau.core.bus.types import lookup


class Probe(EventPayload):
    n: int = Field(description="Sequence number inside one test.")
    note: str = Field(default="", description="Free text.")


PROBE = lookup("testing.probe") or event_type(
    "testing.probe", Probe, subject_type="probe", description="Test-only event."
)
