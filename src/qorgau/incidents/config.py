"""The incidents' settings: the response targets their metrics measure against."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from qorgau.core.settings import CoreSettings


class IncidentsSettings(CoreSettings):
    """Response targets of the incident metrics (`QORGAU_RESPONSE_TARGET_*`)."""

    section: ClassVar[str] = "Incidents: response targets"

    response_target_ack_s: int = Field(
        default=60, gt=0, title="Alarm acknowledgement target",
        description="Response metrics: an alarm should be acknowledged within this many seconds.",
    )
    response_target_on_scene_town_s: int = Field(
        default=420, gt=0, title="On-scene target in town",
        description="Response metrics: a patrol should be on scene in Aksai within this many seconds.",
    )
    response_target_on_scene_district_s: int = Field(
        default=1800, gt=0, title="On-scene target in the district",
        description="Response metrics: a patrol should be on scene elsewhere in the district within this many seconds.",
    )
