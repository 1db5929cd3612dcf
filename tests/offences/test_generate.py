"""The generated Burlinsky registry: yearly totals follow the scaled official figures, the structure follows
СНГ-1, clearance is about 60 %, the draw is deterministic, quick, and seeded once."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from qorgau.core.db import Database
from qorgau.offences import generate
from qorgau.offences.models import Offence
from qorgau.offences.seeding import generate_registry, seed_aksai
from tests.conftest import CLI_ACTOR

TODAY = date(2026, 12, 7)
YEARS = range(2021, 2027)


def _rows(db: Database) -> list[tuple[object, ...]]:
    with db.reading() as session:
        return [tuple(r) for r in session.execute(select(
            Offence.reg_number, Offence.registered_on, Offence.committed_at, Offence.article_code, Offence.status,
            Offence.lon, Offence.lat, Offence.settlement, Offence.district_id, Offence.place_type)
            .order_by(Offence.reg_number))]


@pytest.mark.timeout(90)
def test_the_generated_registry_follows_the_scaled_official_figures(db: Database) -> None:
    started = time.perf_counter()
    with db.unit_of_work() as session:
        per_year = generate_registry(session, years=YEARS, today=TODAY, actor=CLI_ACTOR)
    assert time.perf_counter() - started < 10  # the brief's budget for the default registry
    share = generate.BURLINSKY_POPULATION / generate.WKO_POPULATION
    with db.reading() as session:
        counted = Counter((r.registered_on.year, r.offence_class) for r in session.execute(
            select(Offence.registered_on, Offence.offence_class).where(Offence.source == "generated")))
        crimes_2023 = session.execute(select(Offence.article_group, Offence.termination_ground,
                                             Offence.status).where(
            Offence.offence_class == "crime", Offence.registered_on.between(date(2023, 1, 1), date(2023, 12, 31)))
        ).all()
        outside = session.scalar(select(func.count()).select_from(Offence).where(Offence.lon.is_(None))) or 0
        aksai = session.scalar(select(func.count()).select_from(Offence).where(Offence.settlement == "Ақсай")) or 0
    # 2023 is the official year: WKO 4,935 crimes and 973 misdemeanours scaled by 58,290 / 688,091.
    assert counted[(2023, "crime")] == pytest.approx(4935 * share, rel=0.03)
    assert counted[(2023, "misdemeanour")] == pytest.approx(973 * share, rel=0.03)
    for year in YEARS:
        wanted = generate.expected(year, TODAY)
        assert counted[(year, "crime")] == pytest.approx(wanted.crimes, rel=0.03)
        assert counted[(year, "administrative")] == pytest.approx(wanted.administrative, rel=0.03)
    assert sum(per_year.values()) == sum(counted.values()) and 4500 < sum(counted.values()) < 6000
    groups = Counter(g for g, _, _ in crimes_2023)
    assert groups.most_common(2)[0][0] == "theft" and groups.most_common(2)[1][0] == "fraud"
    assert groups["theft"] / len(crimes_2023) == pytest.approx(2183 / 4935, abs=0.08)
    # "Окончены": sent to court or terminated on non-rehabilitating grounds; WKO 2023: 2,986 / 4,935 = 60.5 %.
    cleared = sum(1 for _, ground, status in crimes_2023 if status == "sent_to_court"
                  or (ground or "").startswith("non_rehabilitating")) / len(crimes_2023)
    assert cleared == pytest.approx(2986 / 4935, abs=0.06)
    assert outside == 0 and aksai / sum(counted.values()) > 0.5  # the town holds most of the residents


@pytest.mark.timeout(90)
def test_the_draw_is_deterministic_and_the_seed_runs_once(db: Database) -> None:
    with db.unit_of_work() as session:
        generate_registry(session, years=range(2023, 2025), seed=7, today=TODAY, actor=CLI_ACTOR)
    first = _rows(db)
    with db.unit_of_work() as session:  # a fresh draw with the same seed replaces it by the same records
        generate_registry(session, years=range(2023, 2025), seed=7, today=TODAY, actor=CLI_ACTOR)
    assert _rows(db) == first and len(first) > 1000
    with db.unit_of_work() as session:
        assert seed_aksai(session, actor=CLI_ACTOR, today=TODAY) == 0  # generated records exist: nothing
        generate_registry(session, years=range(2023, 2025), seed=8, today=TODAY, actor=CLI_ACTOR)
    assert _rows(db) != first
    # The camera area sees fewer street offences after the cameras than before (the generated effect).
    with db.reading() as session:
        lon, lat, _, _ = generate.HOT_AREAS[generate.CAMERA_AREA]
        near = (func.abs(Offence.lon - lon) < 0.004) & (func.abs(Offence.lat - lat) < 0.0025)
        street = (near, Offence.place_type.in_(["street", "public_place"]))
        before = session.scalar(select(func.count()).select_from(Offence).where(
            *street, Offence.registered_on < generate.CAMERAS_INSTALLED)) or 0
        after = session.scalar(select(func.count()).select_from(Offence).where(
            *street, Offence.registered_on >= generate.CAMERAS_INSTALLED)) or 0
    days_before = (generate.CAMERAS_INSTALLED - date(2023, 1, 1)).days
    days_after = (date(2025, 1, 1) - generate.CAMERAS_INSTALLED).days
    assert before > 30 and after / days_after < before / days_before
