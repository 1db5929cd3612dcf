"""The simulated demo's roads (`qorgau roads seed-demo`, idempotent): a wanted-vehicle watch list with the plate
that drives through the wanted-car scene, a calibration for each speed camera and a stop line with a signal head
for each intersection camera, all matching the composed clips (`simulator/video/clips/roads-*`, ADR 0044).

Nothing an administrator made is touched: the list is created only when absent, the plate added only when missing,
and a camera that already has a calibration or an enforcement point keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.audit.service import Actor
from qorgau.devices.enums import CameraPurpose, DeviceKind
from qorgau.devices.models import Device
from qorgau.roads import watchlists
from qorgau.roads.enforcement import service as enforcement
from qorgau.roads.enums import WatchlistKind
from qorgau.roads.models import Watchlist, WatchlistEntry
from qorgau.roads.schemas import EntryIn, WatchlistIn

LIST_NAME = "Іздеудегі көліктер (демо) / Разыскиваемые ТС (демо) / Wanted vehicles (demo)"
WANTED_PLATE = "777WAN07"  # compose_roads.WANTED: the third vehicle of the wanted-car scene carries it
WANTED_REASON = "Демо: ұрланған көлік / Демо: угон / Demo: stolen vehicle"
# The composed clips' geometry in the analysed picture (the 640x360 sub stream). The calibration marks are the
# dashed lane line's ends and the near road edge: US lane markings (10 ft dash, 30 ft gap, 12 ft lanes) of the
# source road, as a technician would mark them; the x axis runs across the road, y along it.
SPEED_IMAGE: tuple[tuple[float, float], ...] = ((335.0, 100.0), (317.0, 150.0), (279.0, 250.0), (259.0, 303.0),
                                               (80.0, 100.0), (20.0, 250.0))
SPEED_PLANE: tuple[tuple[float, float], ...] = ((3.66, 12.19), (3.66, 9.14), (3.66, 3.05), (3.66, 0.0),
                                               (0.0, 12.19), (0.0, 3.05))
STOP_LINE = ((0.0, 198.0), (640.0, 178.0))  # compose_roads.STOP_LINE_Y, the painted line, halved
LAMP_ROI = (596, 25, 18, 18)  # x, y, width, height: the red lamp of compose_roads.SIGNAL_HEAD, halved


@dataclass(slots=True)
class Seeded:
    """What the seed added (empty lists: nothing was missing)."""

    watchlist: bool = False
    entry: bool = False
    calibrated: list[str] = field(default_factory=list)
    stop_lines: list[str] = field(default_factory=list)


def _cameras(session: Session, purpose: CameraPurpose) -> list[str]:
    return list(session.scalars(select(Device.code).where(Device.kind == DeviceKind.CAMERA.value,
                                                          Device.purpose == purpose.value).order_by(Device.code)))


def _watchlist(session: Session, actor: Actor, seeded: Seeded) -> None:
    found = session.scalars(select(Watchlist).where(Watchlist.name == LIST_NAME)).first()
    if found is None:
        found = watchlists.create_list(session, list_in=WatchlistIn(
            name=LIST_NAME, kind=WatchlistKind.STOLEN, description="The simulated demo's list (roads seed-demo).",
            reason="demo seed"), actor=actor)
        seeded.watchlist = True
    present = session.scalars(select(WatchlistEntry.id).where(WatchlistEntry.watchlist_id == found.id,
                                                              WatchlistEntry.pattern == WANTED_PLATE)).first()
    if present is None:
        watchlists.add_entry(session, list_id=found.id, entry_in=EntryIn(pattern=WANTED_PLATE, reason=WANTED_REASON),
                             actor=actor)
        seeded.entry = True


def seed_demo(session: Session, *, actor: Actor) -> Seeded:
    """Add what the simulated demo's roads need and is missing."""
    seeded = Seeded()
    _watchlist(session, actor, seeded)
    for code in _cameras(session, CameraPurpose.SPEED):
        if enforcement.calibration(session, device_code=code) is None:
            enforcement.calibrate(session, device_code=code, image=SPEED_IMAGE, plane=SPEED_PLANE, actor=actor)
            seeded.calibrated.append(code)
    for code in _cameras(session, CameraPurpose.INTERSECTION):
        if enforcement.point(session, device_code=code) is None:
            enforcement.set_point(session, device_code=code, limit_kmh=None, stop_line=list(STOP_LINE),
                                  lamp_roi=list(LAMP_ROI), controller=None, actor=actor)
            seeded.stop_lines.append(code)
    return seeded
