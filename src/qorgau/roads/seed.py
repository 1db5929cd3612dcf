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
# The composed clips' geometry in the analysed picture (the 640x360 sub stream). The source road's marking lengths
# are not known: the geometry assumes a 6.1 m dash-and-gap cycle (1.5 m dash) on lane lines 3.5 m apart, the scale
# at which the entries' traffic measures 50-70 km/h, an urban arterial's speeds; the speed points' clip is that
# traffic 1.5 times as fast (ADR 0044). Six marks clicked on the clip (the ends of two dashes and two kerb points)
# fitted that geometry with a 7.6 px RMS residual, too coarse for the ±2 km/h rule (ADR 0052). So the demo's marks
# are that best fit's projections of 16 points of the assumed geometry (kerb line x = 0, lane lines x = 3.5 and 7 m)
# that lie in the picture: an assumed calibration with no click error, not a survey — the demo's speeds are only
# as true as the assumed geometry, which nothing in the clip can check.
SPEED_PLANE: tuple[tuple[float, float], ...] = (
    (0.0, 6.095), (0.0, 7.62), (0.0, 12.19), (0.0, 13.715),
    (3.5, 0.0), (3.5, 1.525), (3.5, 6.095), (3.5, 7.62), (3.5, 12.19), (3.5, 13.715),
    (7.0, 1.525), (7.0, 6.095), (7.0, 7.62), (7.0, 12.19), (7.0, 13.715), (7.0, 0.0))
SPEED_IMAGE: tuple[tuple[float, float], ...] = (
    (109.0, 143.7), (164.1, 103.5), (274.3, 22.9), (299.8, 4.2),
    (323.0, 300.1), (352.7, 245.8), (413.4, 134.6), (427.8, 108.4), (460.3, 48.8), (468.7, 33.5),
    (546.3, 204.9), (557.0, 130.2), (559.8, 110.8), (566.6, 63.7), (568.5, 50.8), (541.6, 237.4))
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
            # Assumed marks, not surveyed ones (see SPEED_IMAGE): kept as such on the calibration.
            enforcement.calibrate(session, device_code=code, image=SPEED_IMAGE, plane=SPEED_PLANE, actor=actor,
                                  surveyed=False)
            seeded.calibrated.append(code)
    for code in _cameras(session, CameraPurpose.INTERSECTION):
        if enforcement.point(session, device_code=code) is None:
            enforcement.set_point(session, device_code=code, limit_kmh=None, stop_line=list(STOP_LINE),
                                  lamp_roi=list(LAMP_ROI), controller=None, actor=actor)
            seeded.stop_lines.append(code)
    return seeded
