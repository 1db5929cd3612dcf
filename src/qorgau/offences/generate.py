"""A plausible registry for Burlinsky district, flagged "generated": yearly totals follow the official West
Kazakhstan figures scaled by population, the mix follows form СНГ-1, places follow the residents."""

# There is no real extract of the district to ship (ADR 0035). Everything is drawn from one seeded generator and
# vectorised with numpy, so the default six years (~5,400 records) take well under a second to draw and the
# benchmark's ten million are drawn in chunks. A record's settlement and police district are those of the
# populated 100 m cell it was drawn in (its position is jittered inside that cell).

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources

import numpy as np
from scipy.spatial import cKDTree
from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.city.models import PopulationCell
from qorgau.offences import articles as article_list
from qorgau.offences.enums import PlaceType, RecordSource, Status
from qorgau.offences.placement import Placement
from qorgau.offences.service import LOCAL_ZONE, local_today

BURLINSKY_POPULATION = 58_290  # residents on 2023-01-01, stat.gov.kz (Бөрлі ауданы; data/SOURCE.md)
WKO_POPULATION = 688_091  # West Kazakhstan region on 2023-01-01, stat.gov.kz
# Administrative offences of the listed КоАП articles per 10,000 residents a year: an assumption (no official
# figure is shipped), set so the desk's administrative slices are about as full as the criminal ones.
ADMIN_PER_10000 = 60.0
CAMERAS_INSTALLED = date(2024, 7, 1)  # the assumed start of the centre's cameras in the generated history
CAMERA_AREA = 0  # index of the hot area the cameras watch
CAMERA_DETERRENCE = 0.3  # share of its street offences that move elsewhere once the cameras are up
DEFAULT_SEED = 20230101

# Registered crimes in West Kazakhstan in 2023 by СНГ-1 row (column 1); "other" is the rest of the 4,935.
CRIME_MIX: dict[str, int] = {
    "theft": 2183, "fraud": 1220, "robbery": 187, "brigandage": 7, "murder": 21, "grievous_harm": 64, "rape": 13,
    "extortion": 16, "vehicle_theft": 82, "property_damage": 7, "hooliganism": 61, "traffic_fatal": 8,
    "drugs": 92, "weapons": 39, "bribery": 60, "other": 875}
# Shares of the parts within a group (our estimate: the first part dominates).
CRIME_PARTS: dict[str, list[tuple[str, float]]] = {
    "theft": [("UK-188-1", 45), ("UK-188-2", 40), ("UK-188-3", 10), ("UK-188-4", 5)],
    "fraud": [("UK-190-1", 30), ("UK-190-2", 60), ("UK-190-3", 8), ("UK-190-4", 2)],
    "robbery": [("UK-191-1", 70), ("UK-191-2", 25), ("UK-191-3", 5)],
    "brigandage": [("UK-192-1", 70), ("UK-192-2", 30)], "murder": [("UK-99-1", 80), ("UK-99-2", 20)],
    "grievous_harm": [("UK-106-1", 70), ("UK-106-2", 15), ("UK-106-3", 15)], "rape": [("UK-120-1", 1)],
    "extortion": [("UK-194-1", 70), ("UK-194-2", 30)], "vehicle_theft": [("UK-200-1", 80), ("UK-200-2", 20)],
    "property_damage": [("UK-202-2", 1)], "hooliganism": [("UK-293-2", 85), ("UK-293-3", 15)],
    "traffic_fatal": [("UK-345-4", 85), ("UK-345-5", 15)],
    "drugs": [("UK-296-2", 40), ("UK-297-1", 45), ("UK-297-2", 15)], "weapons": [("UK-287-1", 1)],
    "bribery": [("UK-366-1", 40), ("UK-367-1", 60)],
    "other": [("UK-107-1", 25), ("UK-107-2", 5), ("UK-189-2", 40), ("UK-345-2", 30)],
}
MISDEMEANOUR_MIX = [("UK-108-1", 25), ("UK-115", 25), ("UK-293-1", 10), ("UK-296-1", 10), ("UK-202-1", 10),
                    ("UK-380-1", 5), ("UK-345-1", 10), ("UK-189-1", 5)]
ADMIN_MIX = [("KoAP-73", 30), ("KoAP-434", 25), ("KoAP-440", 25), ("KoAP-608", 10), ("KoAP-187", 10)]
# Completed ("окончены") over registered by СНГ-1 row for West Kazakhstan 2023; 0.8 where the row is too small.
CLEARED: dict[str, float] = {
    "theft": 0.61, "fraud": 0.36, "robbery": 0.94, "brigandage": 0.8, "murder": 0.9, "grievous_harm": 0.92,
    "rape": 0.55, "extortion": 0.87, "vehicle_theft": 0.94, "property_damage": 0.5, "hooliganism": 0.79,
    "traffic_fatal": 0.95, "drugs": 0.74, "weapons": 0.59, "bribery": 0.93}
CLEARED_OTHERWISE = 0.75
S, R, SH, SC, T, P, OT = (PlaceType.STREET, PlaceType.RESIDENCE, PlaceType.SHOP, PlaceType.SCHOOL,
                         PlaceType.TRANSPORT, PlaceType.PUBLIC_PLACE, PlaceType.OTHER)
PLACES: dict[str, list[tuple[PlaceType, float]]] = {
    "theft": [(R, 35), (SH, 20), (S, 20), (P, 15), (T, 5), (OT, 5)], "fraud": [(R, 70), (OT, 20), (SH, 10)],
    "robbery": [(S, 60), (P, 25), (SH, 15)], "hooliganism": [(P, 50), (S, 40), (SC, 5), (OT, 5)],
    "petty_hooliganism": [(P, 50), (S, 45), (SC, 5)], "public_drunkenness": [(S, 55), (P, 45)],
    "domestic": [(R, 1)], "minor_harm": [(R, 50), (S, 25), (P, 25)], "threat": [(R, 70), (S, 20), (P, 10)],
    "drunk_driving": [(S, 1)], "traffic": [(S, 1)], "traffic_fatal": [(S, 1)], "vehicle_theft": [(S, 80), (OT, 20)],
    "petty_theft": [(SH, 80), (P, 20)], "drugs": [(S, 40), (R, 40), (P, 20)],
}
PLACES_OTHERWISE = [(R, 40), (S, 25), (P, 20), (OT, 15)]
OUTDOOR = (S, P, SH, T)
# Local hour of commission: street offences peak in the evening, others follow the day.
EVENING_HOURS = np.array([3, 2.5, 2, 1.5, 1, 0.8, 0.8, 1, 1.5, 2, 2.5, 3, 3.5, 3.5, 4, 4.5, 5, 6, 7, 7.5, 7.5,
                          7, 6, 4.5])
DAY_HOURS = np.array([1, 0.7, 0.5, 0.4, 0.4, 0.5, 1, 2, 3.5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5.5, 5, 4, 3, 2])
WEEKDAY = np.array([0.95, 0.93, 0.93, 0.95, 1.1, 1.2, 1.1])  # Monday first: Friday and Saturday nights
MONTH = np.array([0.85, 0.85, 0.95, 1.0, 1.05, 1.1, 1.15, 1.15, 1.05, 1.0, 0.95, 0.9])  # summer is busier
HOT_AREAS = [(53.0115, 51.1739, 120.0, 0.5), (52.9975, 51.1685, 150.0, 0.3), (53.0245, 51.1800, 120.0, 0.2)]
HOT_SHARE = 0.3  # of outdoor offences; the rest follow the residents


@dataclass(frozen=True)
class YearTotals:
    year: int
    crimes: int
    misdemeanours: int
    administrative: int


def wko_totals() -> dict[int, tuple[int, int]]:
    text = resources.files("qorgau.offences").joinpath("data/wko_totals.csv").read_text(encoding="utf-8")
    return {int(r["year"]): (int(r["crimes"]), int(r["misdemeanours"])) for r in csv.DictReader(text.splitlines())}


def year_fraction(year: int, today: date) -> float:
    """How much of the year has passed by ``today`` (1 for past years): the current year is counted so far."""
    if year < today.year:
        return 1.0
    start = date(year, 1, 1)
    return min(1.0, max(0.0, ((today - start).days + 1) / ((date(year + 1, 1, 1) - start).days)))


def expected(year: int, today: date) -> YearTotals:
    """The district's share of the region's totals (by population) for the part of the year passed."""
    crimes, misdemeanours = wko_totals()[year]
    share, part = BURLINSKY_POPULATION / WKO_POPULATION, year_fraction(year, today)
    return YearTotals(year, round(crimes * share * part), round(misdemeanours * share * part),
                      round(ADMIN_PER_10000 * BURLINSKY_POPULATION / 10_000 * part))


def _mix(pairs: Sequence[tuple[str, float]], scale: float = 1.0) -> list[tuple[str, float]]:
    total = sum(w for _, w in pairs)
    return [(code, scale * w / total) for code, w in pairs]


def _crime_mix() -> list[tuple[str, float]]:
    total = sum(CRIME_MIX.values())
    return [pair for group, n in CRIME_MIX.items() for pair in _mix(CRIME_PARTS[group], n / total)]


class _Town:
    """Populated cells with their settlement and district per set, and a tree to snap hot-area points."""

    def __init__(self, placement: Placement, session: Session) -> None:
        rows = session.execute(select(PopulationCell.lon, PopulationCell.lat, PopulationCell.residents)
                               .where(PopulationCell.model_id == placement.model.id,
                                      PopulationCell.residents > 0).order_by(PopulationCell.id)).all()
        self.xy = np.array([(r.lon, r.lat) for r in rows], dtype=float)
        weights = np.array([r.residents for r in rows], dtype=float)
        self.p = weights / weights.sum()
        self.tree = cKDTree(self.xy)
        self.settlement = np.array([placement.settlement(x, y) or "" for x, y in self.xy], dtype=object)
        self.set_starts = np.array([s.valid_from.timestamp() for s in placement.sets] or [0.0])
        self.districts = np.array([[placement.district(x, y, s.valid_from) or 0 for x, y in self.xy]
                                   for s in placement.sets] or [[0] * len(self.xy)], dtype=np.int64)


def _days(year: int, today: date) -> tuple[list[date], np.ndarray]:
    last = min(date(year, 12, 31), today)
    days = [date(year, 1, 1) + timedelta(days=i) for i in range((last - date(year, 1, 1)).days + 1)]
    w = np.array([MONTH[d.month - 1] * WEEKDAY[d.weekday()] for d in days])
    return days, w / w.sum()


def _draw_year(rng: np.random.Generator, town: _Town, known: dict[str, tuple[str, str, str | None, str]],
               year: int, counts: list[tuple[list[tuple[str, float]], int]], today: date,
               first_seq: int) -> list[dict[str, object]]:
    codes = np.concatenate([rng.choice([c for c, _ in mix], size=n, p=np.array([w for _, w in mix]))
                            for mix, n in counts if n > 0] or [np.array([], dtype=str)])
    n = len(codes)
    if n == 0:
        return []
    days, day_p = _days(year, today)
    day_index = rng.choice(len(days), size=n, p=day_p)
    groups = np.array([known[c][1] for c in codes], dtype=object)
    places = np.empty(n, dtype=object)
    for group in set(groups):
        mask = groups == group
        mix = PLACES.get(group, PLACES_OTHERWISE)
        weights = np.array([w for _, w in mix])
        places[mask] = rng.choice(np.array([str(p) for p, _ in mix], dtype=object), size=int(mask.sum()),
                                  p=weights / weights.sum())
    outdoor = np.isin(places, [str(p) for p in OUTDOOR])
    hour = np.where(outdoor, rng.choice(24, size=n, p=EVENING_HOURS / EVENING_HOURS.sum()),
                    rng.choice(24, size=n, p=DAY_HOURS / DAY_HOURS.sum()))
    lag = np.where(groups == "fraud", rng.integers(0, 30, size=n), rng.choice([0, 0, 0, 0, 0, 0, 1, 1, 2, 5],
                                                                                size=n))
    offset = datetime(year, 7, 1, tzinfo=LOCAL_ZONE).utcoffset() or timedelta(hours=5)  # UTC+5 all year
    committed = [datetime.combine(days[d] - timedelta(days=int(g)), datetime.min.time(), UTC)
                 + timedelta(hours=int(h), minutes=int(m)) - offset
                 for d, g, h, m in zip(day_index, lag, hour, rng.integers(0, 60, size=n), strict=True)]
    cell = rng.choice(len(town.xy), size=n, p=town.p)
    xy = town.xy[cell] + rng.uniform(-1, 1, size=(n, 2)) * (0.0006, 0.0004)  # about ±42 m by ±44 m
    hot_weights = np.array([a[3] for a in HOT_AREAS])
    area = np.where(outdoor & (rng.random(n) < HOT_SHARE), rng.choice(len(HOT_AREAS), size=n,
                                                                       p=hot_weights / hot_weights.sum()), -1)
    after = np.array([days[d] - timedelta(days=int(g)) >= CAMERAS_INSTALLED for d, g in zip(day_index, lag,
                                                                                          strict=True)])
    deterred = (area == CAMERA_AREA) & after & np.isin(places, [str(S), str(P)]) & (rng.random(n) <
                                                                                     CAMERA_DETERRENCE)
    area[deterred] = -1
    hot = area >= 0
    if hot.any():
        centre = np.array([HOT_AREAS[a][:2] for a in area[hot]])
        sigma = np.array([HOT_AREAS[a][2] for a in area[hot]])[:, None] / (70_000.0, 111_000.0)
        xy[hot] = centre + rng.normal(size=(int(hot.sum()), 2)) * sigma
        cell[hot] = town.tree.query(xy[hot])[1]
    stamps = np.array([c.timestamp() for c in committed])
    set_index = np.maximum(np.searchsorted(town.set_starts, stamps, side="right") - 1, 0)
    district = town.districts[set_index, cell]
    cleared_p = np.array([CLEARED.get(g, CLEARED_OTHERWISE) for g in groups])
    cleared = rng.random(n) < cleared_p
    decided_after = rng.integers(5, 150, size=n)
    roll = rng.random(n)
    rows: list[dict[str, object]] = []
    now = datetime.now(UTC)
    for i in range(n):
        code, registered = str(codes[i]), days[day_index[i]]
        kind_code, group, severity, offence_class = known[code][0], known[code][1], known[code][2], known[code][3]
        status_on: date | None = registered + timedelta(days=int(decided_after[i]))
        if status_on is not None and status_on > today:
            status, ground, status_on = Status.INVESTIGATING, None, None
        elif cleared[i]:
            status = Status.SENT_TO_COURT if roll[i] < 0.85 else Status.TERMINATED
            ground = None if status == Status.SENT_TO_COURT else "non_rehabilitating:CPC-35-1-12"
        else:
            status = Status.INTERRUPTED if roll[i] < 0.8 else Status.TERMINATED
            ground = None if status == Status.INTERRUPTED else "rehabilitating:CPC-35-1-2"
        administrative = kind_code == "koap"
        rows.append({
            "reg_number": f"{year % 100:02d}2711{'06' if administrative else '03'}{first_seq + i:07d}",
            "kind": "administrative" if administrative else "criminal", "registered_on": registered,
            "committed_at": committed[i], "article_code": code, "offence_class": offence_class,
            "severity": severity, "article_group": group, "status": str(status), "termination_ground": ground,
            "status_on": status_on,
            "persons_identified": int(cleared[i] and status != Status.INTERRUPTED) * (1 + int(roll[i] > 0.8)),
            "lon": round(float(xy[i, 0]), 6), "lat": round(float(xy[i, 1]), 6),
            "settlement": town.settlement[cell[i]] or None, "district_id": int(district[i]) or None,
            "place_type": str(places[i]), "incident_id": None, "call_ref": None,
            "source": str(RecordSource.GENERATED), "draft": False, "created_at": now, "updated_at": now,
            "updated_by": "generator"})
    return rows


def draw(session: Session, *, years: range, seed: int = DEFAULT_SEED, today: date | None = None,
         records: int | None = None, chunk: int = 100_000) -> Iterator[list[dict[str, object]]]:
    """Chunks of generated rows, year by year; ``records`` overrides the totals (the benchmark's scale)."""
    article_list.ensure(session)
    known = {a.code: (a.code_kind, a.article_group, a.severity, a.offence_class)
             for a in article_list.all_articles(session)}
    town = _Town(Placement(session), session)
    rng = np.random.default_rng(seed)
    today = today or local_today()
    plan = [expected(y, today) for y in years]
    total = sum(t.crimes + t.misdemeanours + t.administrative for t in plan) or 1
    for t in plan:
        scale = (records / total) if records is not None else 1.0
        wanted = [(_crime_mix(), round(t.crimes * scale)), (_mix(MISDEMEANOUR_MIX), round(t.misdemeanours * scale)),
                  (_mix(ADMIN_MIX), round(t.administrative * scale))]
        seq = 1
        while any(n > 0 for _, n in wanted):
            part = [(mix, min(n, chunk)) for mix, n in wanted]
            yield _draw_year(rng, town, known, t.year, part, today, seq)
            seq += sum(n for _, n in part)
            wanted = [(mix, n - m) for (mix, n), (_, m) in zip(wanted, part, strict=True)]
