"""Section control from the running system on SQLite and PostgreSQL: a plate's passage at one speed point waits in
the database, survives a restart (a new engine), and the passage at the next point opens a section violation over
the city model's road distance; a partial plate, a slow car, an old entry and the same camera twice open none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from qorgau.audit.service import Actor
from qorgau.audit.signing import load_signer
from qorgau.core.db import Database
from qorgau.roads.enforcement import evidence, review, sections
from qorgau.roads.enforcement.models import SectionPassage, Violation
from qorgau.settings import Settings
from tests.conftest import login, make_user
from tests.devices.conftest import camera
from tests.incidents.conftest import ok

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SYSTEM = Actor(ref="system:test", name="pytest")
RULES = sections.SectionRules(tolerance_kmh=10.0, max_s=1800.0, max_m=10_000.0)


def _pass(db: Database, settings: Settings, code: str, plate: str, at: datetime,
          rules: sections.SectionRules = RULES) -> review.Outcome | None:
    capture = review.Capture(device_code=code, times=[at], boxes=[], plate_text=plate, plate_confidence=0.9,
                             images={"first.jpg": b"\xff\xd8" + code.encode(), "last.jpg": b"\xff\xd8z"},
                             clip={"camera": code, "from": at.isoformat(), "to": at.isoformat()})
    with db.unit_of_work() as session:
        outcome = sections.passage(session, capture=capture, passed_at=at, limit_kmh=60.0, rules=rules,
                                   signer=load_signer(settings), evidence_root=settings.data_dir / "violations",
                                   actor=SYSTEM)
        if outcome is None:
            return None
        return review.Outcome(None, outcome.skipped or "opened", outcome.kmh)


@pytest.mark.timeout(120)
def test_section_across_two_points_with_a_restart_between(client: TestClient, app_db: Database,
                                                          settings: Settings) -> None:
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    ok(client.post("/api/devices", json=camera("CAM-S1", east_m=-400, purpose="speed")), 201)
    ok(client.post("/api/devices", json=camera("CAM-S2", east_m=400, purpose="speed")), 201)
    assert _pass(app_db, settings, "CAM-S1", "123ABC07", T0) is None  # waits for the other end
    assert _pass(app_db, settings, "CAM-S1", "777AAA02", T0) is None
    assert _pass(app_db, settings, "CAM-S1", "12?ABC07", T0) is None  # a partial plate pairs nothing
    with app_db.reading() as session:
        assert sections.waiting(session) == 2
        distance = sections.road_distance_m(session, start_code="CAM-S1", end_code="CAM-S2")
    assert distance is not None and 800.0 <= distance < 2000.0

    restarted = Database(settings.effective_database_url)  # a new process: only the database remembers
    try:
        fast = _pass(restarted, settings, "CAM-S2", "123ABC07", T0 + timedelta(seconds=distance / (100 / 3.6)))
        assert fast is not None and fast.skipped == "opened" and fast.kmh == pytest.approx(100.0)
        slow = _pass(restarted, settings, "CAM-S2", "777AAA02", T0 + timedelta(seconds=distance / (40 / 3.6)))
        assert slow is not None and slow.skipped == "under_limit"
        # Each entry closes one section: the same plate at the same point again waits anew.
        assert _pass(restarted, settings, "CAM-S2", "123ABC07", T0 + timedelta(seconds=300)) is None
        with restarted.reading() as session:
            [violation] = session.scalars(select(Violation)).all()
            used = session.scalars(select(SectionPassage.plate).where(SectionPassage.used.is_(True))).all()
    finally:
        restarted.dispose()
    assert violation.kind == "section_speed" and violation.device_code == "CAM-S2"
    assert violation.plate_text == "123ABC07" and violation.limit_kmh == 60.0
    folder = settings.data_dir / "violations" / violation.evidence
    assert evidence.verify(folder, load_signer(settings).key_id) == []
    assert {"entry-first.jpg", "entry-last.jpg", "exit-first.jpg", "exit-last.jpg"} <= {p.name for p in
                                                                                        folder.iterdir()}
    assert (folder / "entry-first.jpg").read_bytes() == b"\xff\xd8CAM-S1"
    assert sorted(used) == ["123ABC07", "777AAA02"]


@pytest.mark.timeout(90)
def test_old_entries_and_far_points_make_no_section(client: TestClient, app_db: Database,
                                                    settings: Settings) -> None:
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    ok(client.post("/api/devices", json=camera("CAM-S1", east_m=-400, purpose="speed")), 201)
    ok(client.post("/api/devices", json=camera("CAM-S2", east_m=400, purpose="speed")), 201)
    assert _pass(app_db, settings, "CAM-S1", "123ABC07", T0) is None
    # Past the window the entry is dropped: the later passage only waits.
    assert _pass(app_db, settings, "CAM-S2", "123ABC07", T0 + timedelta(seconds=1801)) is None
    with app_db.reading() as session:
        assert session.scalars(select(SectionPassage.device_code)).all() == ["CAM-S2"]
    short = sections.SectionRules(tolerance_kmh=10.0, max_s=1800.0, max_m=300.0)
    outcome = _pass(app_db, settings, "CAM-S1", "123ABC07", T0 + timedelta(seconds=1830), rules=short)
    assert outcome is not None and outcome.skipped == "section_too_long"


@pytest.mark.timeout(90)
def test_the_same_plate_too_soon_at_the_next_point_is_no_section(client: TestClient, app_db: Database,
                                                                  settings: Settings) -> None:
    """Two cars with one plate (a misread, a clone) or two cameras seeing one car at once average an impossible
    speed: no violation, the reason named."""
    make_user(app_db, "admin", "admin")
    login(client, "admin")
    ok(client.post("/api/devices", json=camera("CAM-S1", east_m=-400, purpose="speed")), 201)
    ok(client.post("/api/devices", json=camera("CAM-S2", east_m=400, purpose="speed")), 201)
    assert _pass(app_db, settings, "CAM-S1", "123ABC07", T0) is None
    outcome = _pass(app_db, settings, "CAM-S2", "123ABC07", T0 + timedelta(seconds=3))
    assert outcome is not None and outcome.skipped == "implausible_speed"
    assert outcome.kmh is not None and outcome.kmh > sections.PLAUSIBLE_MAX_KMH
    with app_db.reading() as session:
        assert session.scalars(select(Violation)).all() == []
