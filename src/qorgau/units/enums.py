"""Vocabulary of units and dispatch."""

from __future__ import annotations

from enum import StrEnum

from qorgau.city.enums import Mode


class UnitKind(StrEnum):
    PATROL_CAR = "patrol_car"
    FOOT_PATROL = "foot_patrol"
    DISTRICT_INSPECTOR = "district_inspector"  # участковый инспектор полиции (УИП)
    POST = "post"  # stationed at a МОП site


class UnitStatus(StrEnum):
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    BUSY = "busy"
    OFF_DUTY = "off_duty"


class Stage(StrEnum):
    """What happened to an assignment; the last stage is its state."""

    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"  # the unit reported the incident resolved and is free again
    CLEARED = "cleared"  # the dispatcher released the unit
    REASSIGNED = "reassigned"  # another unit took over; this one is free again


class Progress(StrEnum):
    """What a unit reports from the unit app."""

    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"


ACTIVE_STAGES = (Stage.DISPATCHED, Stage.ACCEPTED, Stage.EN_ROUTE, Stage.ON_SCENE)
# The stages a unit may move to from each active one (the unit app's buttons).
NEXT_STAGES: dict[Stage, tuple[Stage, ...]] = {
    Stage.DISPATCHED: (Stage.ACCEPTED, Stage.DECLINED, Stage.EN_ROUTE, Stage.ON_SCENE, Stage.RESOLVED),
    Stage.ACCEPTED: (Stage.EN_ROUTE, Stage.ON_SCENE, Stage.RESOLVED),
    Stage.EN_ROUTE: (Stage.ON_SCENE, Stage.RESOLVED),
    Stage.ON_SCENE: (Stage.RESOLVED,),
}
# The unit's status while its assignment is in a stage (None: the unit is free again).
STATUS_OF_STAGE: dict[Stage, UnitStatus | None] = {
    Stage.DISPATCHED: UnitStatus.DISPATCHED, Stage.ACCEPTED: UnitStatus.DISPATCHED,
    Stage.EN_ROUTE: UnitStatus.EN_ROUTE, Stage.ON_SCENE: UnitStatus.ON_SCENE, Stage.DECLINED: None,
    Stage.RESOLVED: None, Stage.CLEARED: None, Stage.REASSIGNED: None,
}
# Cars drive; everyone else walks (foot patrols, inspectors, and post officers leaving their МОП).
MODE_OF_KIND: dict[UnitKind, Mode] = {
    UnitKind.PATROL_CAR: Mode.DRIVE, UnitKind.FOOT_PATROL: Mode.WALK,
    UnitKind.DISTRICT_INSPECTOR: Mode.WALK, UnitKind.POST: Mode.WALK,
}


class StallFlag(StrEnum):
    """Why the dispatch watch flags an assignment as stalled (the first that applies, in this order)."""

    AT_SCENE_UNREPORTED = "at_scene_unreported"  # the unit stands at the scene but has not reported on scene
    NOT_EN_ROUTE = "not_en_route"  # dispatched, and no en route reported in time
    ETA_PASSED = "eta_passed"  # not on scene, and the ETA given at dispatch has passed by the margin
