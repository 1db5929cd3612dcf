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
LIST_DESCRIPTION = "Демо тізімі / Список демонстрации / The demo's list (qorgau roads seed-demo)"
WANTED_PLATE = "777WAN07"  # compose_roads.WANTED: the third vehicle of the wanted-car scene carries it
WANTED_REASON = "Демо: ұрланған көлік / Демо: угон / Demo: stolen vehicle"
# The composed clips' geometry in the analysed picture (the 640x360 sub stream). The calibration marks are the ends
# of two dashes of the lane line (x = 3.5 m, one lane from the kerb line) and two points of the kerb line (x = 0);
# y runs along the road from the nearest dash's end. The source road's marking lengths are not known: the marks
# assume a 6.1 m dash-and-gap cycle (1.5 m dash), the scale at which the entries' traffic measures 50-70 km/h, an
# urban arterial's speeds; the speed points' clip is that traffic 1.5 times as fast (ADR 0044). Reprojection RMS
# of the fit: 0.26 m.
SPEED_IMAGE: tuple[tuple[float, float], ...] = ((320.0, 304.0), (358.0, 238.0), (406.0, 145.0), (433.0, 102.0),
                                               (110.0, 145.0), (163.0, 102.0))
SPEED_PLANE: tuple[tuple[float, float], ...] = ((3.5, 0.0), (3.5, 1.525), (3.5, 6.095), (3.5, 7.62),
                                               (0.0, 6.095), (0.0, 7.62))
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
            name=LIST_NAME, kind=WatchlistKind.WANTED, description=LIST_DESCRIPTION, reason="demo seed"), actor=actor)
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
            # Assumed marks, not surveyed ones: kept with their residual, which widens every speed's uncertainty.
            enforcement.calibrate(session, device_code=code, image=SPEED_IMAGE, plane=SPEED_PLANE, actor=actor,
                                  surveyed=False)
            seeded.calibrated.append(code)
    for code in _cameras(session, CameraPurpose.INTERSECTION):
        if enforcement.point(session, device_code=code) is None:
            enforcement.set_point(session, device_code=code, limit_kmh=None, stop_line=list(STOP_LINE),
                                  lamp_roi=list(LAMP_ROI), controller=None, actor=actor)
            seeded.stop_lines.append(code)
    return seeded
