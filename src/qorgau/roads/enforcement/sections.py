"""Section control from the running system: each plate's passage at a speed point waits in a table until the same
plate passes another speed point, then the average speed over the city model's road distance between the two
decides (ADR 0043). Functions never commit; the waiting passages survive a restart."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.audit.signing import Signer
from qorgau.city import service as city_service
from qorgau.city.enums import Mode
from qorgau.core.errors import QorgauError
from qorgau.core.time import as_utc
from qorgau.devices import service as device_service
from qorgau.roads.enforcement import review
from qorgau.roads.enforcement.models import SectionPassage

# No car averages this on a town's roads: a faster pair is two cars with one plate (a misread or a cloned plate)
# or two cameras showing the same car at once, never a violation to review.
PLAUSIBLE_MAX_KMH = 250.0


@dataclass(frozen=True, slots=True)
class SectionRules:
    """How passages pair into sections and what a section's speed is compared with."""

    tolerance_kmh: float
    max_s: float  # two passages further apart in time make no section
    max_m: float  # two points further apart on the road make no section


def complete(plate: str | None) -> bool:
    """Only a fully read plate pairs two passages: a partial one could pair two different cars."""
    return bool(plate) and "?" not in (plate or "")


def _entry_capture(row: SectionPassage) -> review.Capture:
    return review.Capture(device_code=row.device_code, times=[row.passed_at], boxes=[],
                          images={name: base64.b64decode(data) for name, data in row.images.items()},
                          plate_crop=row.plate_crop, plate_text=row.plate, plate_confidence=row.plate_confidence,
                          read_id=row.read_id, clip=dict(row.clip), time_source=row.time_source)


def road_distance_m(session: Session, *, start_code: str, end_code: str) -> float | None:
    """The drive graph's route length between two cameras, None when the city model has no route."""
    start = device_service.get(session, start_code)
    end = device_service.get(session, end_code)
    try:
        model = city_service.active_model(session)
        return float(city_service.route(session, model=model, start=(start.lon, start.lat), end=(end.lon, end.lat),
                                        mode=Mode.DRIVE).meters)
    except QorgauError:  # no model, a camera outside it, or no route: no section
        return None


def passage(session: Session, *, capture: review.Capture, passed_at: datetime, limit_kmh: float,
            rules: SectionRules, signer: Signer, evidence_root: Path, actor: audit.Actor) -> review.Outcome | None:
    """Store a plate's passage at a speed point; when the same plate passed another speed point within the window,
    measure the section (a violation when too fast). None when the passage only waits (or has no full plate)."""
    if not complete(capture.plate_text):
        return None
    at = as_utc(passed_at)
    session.execute(delete(SectionPassage).where(SectionPassage.passed_at < at - timedelta(seconds=rules.max_s)))
    earlier = session.scalars(select(SectionPassage).where(
        SectionPassage.plate == capture.plate_text, SectionPassage.device_code != capture.device_code.upper(),
        SectionPassage.used.is_(False), SectionPassage.passed_at >= at - timedelta(seconds=rules.max_s),
        SectionPassage.passed_at < at).order_by(SectionPassage.passed_at.desc()).limit(1).with_for_update()).first()
    row = SectionPassage(plate=capture.plate_text, device_code=capture.device_code.upper(), passed_at=at,
                         limit_kmh=limit_kmh, images={n: base64.b64encode(d).decode("ascii")
                                                      for n, d in capture.images.items()},
                         plate_crop=capture.plate_crop, plate_confidence=capture.plate_confidence,
                         read_id=capture.read_id, clip=dict(capture.clip), time_source=capture.time_source,
                         used=False)
    session.add(row)
    session.flush()
    if earlier is None:
        return None
    earlier.used, earlier.closed_by = True, row.id  # one entry closes one section, whatever the outcome
    distance = road_distance_m(session, start_code=earlier.device_code, end_code=row.device_code)
    if distance is None:
        return review.Outcome(None, "no_route")
    if distance > rules.max_m:
        return review.Outcome(None, "section_too_long")
    seconds = (at - as_utc(earlier.passed_at)).total_seconds()
    if seconds <= 0 or distance / seconds * 3.6 > PLAUSIBLE_MAX_KMH:
        return review.Outcome(None, "implausible_speed", distance / seconds * 3.6 if seconds > 0 else None)
    return review.open_section(session, entry=_entry_capture(earlier), exit_=capture, entered_at=earlier.passed_at,
                               left_at=at, limit_kmh=min(earlier.limit_kmh, limit_kmh),
                               tolerance_kmh=rules.tolerance_kmh, signer=signer, evidence_root=evidence_root,
                               actor=actor)


def waiting(session: Session) -> int:
    """How many passages wait for their section's other end."""
    return len(session.scalars(select(SectionPassage.id).where(SectionPassage.used.is_(False))).all())
