"""Appeals in the service layer: routing to a district, all problems at once, figures over a period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import shapely.geometry

from qorgau.appeals import service
from qorgau.appeals.models import Appeal
from qorgau.appeals.schemas import AppealCreate
from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.core.errors import ValidationFailed
from qorgau.districts import service as district_service
from tests.conftest import CLI_ACTOR

ZONE = ZoneInfo("Asia/Almaty")
CTX = Context.system("test")


def _points(db: Database) -> list[tuple[int, float, float]]:
    with db.unit_of_work() as session:
        found = district_service.current(session)
        assert found is not None
        out = []
        for d in found.districts:
            p = shapely.geometry.shape(d.geometry).representative_point()
            out.append((d.id, p.x, p.y))
        return out


def _new(lon: float, lat: float, at: datetime, **extra: object) -> AppealCreate:
    return AppealCreate.model_validate({"channel": "phone", "applicant_name": "Иванов И. И.",
                                        "applicant_contact": "+7 701 000 00 00", "address": "Aksai",
                                        "lon": lon, "lat": lat, "subject": "noise", "text": "Loud music",
                                        "registered_at": at, **extra})


@pytest.mark.timeout(60)
def test_routing_problems_and_figures(db: Database) -> None:
    (d1, lon1, lat1), (d2, lon2, lat2) = _points(db)[:2]
    monday = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)  # 10:00 in Aksai
    with db.unit_of_work() as session:
        first = service.create(session, appeal_in=_new(lon1, lat1, monday), actor=CLI_ACTOR, ctx=CTX,
                               term_days=15, zone=ZONE)
        assert first.district_id == d1 and first.inspector_id is not None and not first.routed_manually
        assert first.number == "2026-000001" and first.deadline.isoformat() == "2026-11-23"
        late = service.create(session, appeal_in=_new(lon2, lat2, monday), actor=CLI_ACTOR, ctx=CTX,
                              term_days=15, zone=ZONE)
        still_open = service.create(session, appeal_in=_new(lon2, lat2, monday + timedelta(days=1)),
                                    actor=CLI_ACTOR, ctx=CTX, term_days=15, zone=ZONE)
        outside = service.create(session, appeal_in=_new(50.0, 50.0, monday, district_id=d2), actor=CLI_ACTOR,
                                 ctx=CTX, term_days=15, zone=ZONE)
        assert outside.district_id == d2 and outside.routed_manually
        first.answered_at, first.state = monday + timedelta(days=3), "answered"
        late.answered_at, late.state = datetime(2026, 11, 23, 19, 0, tzinfo=UTC), "answered"  # 24 Nov local
        assert still_open.deadline.isoformat() == "2026-11-24"
    with db.unit_of_work() as session, pytest.raises(ValidationFailed) as caught:
        service.create(session, appeal_in=_new(50.0, 50.0, monday, subject="nonsense"), actor=CLI_ACTOR,
                       ctx=CTX, term_days=15, zone=ZONE)
    assert {e["field"] for e in caught.value.errors} == {"subject", "lon"}
    with db.unit_of_work() as session:
        assert session.query(Appeal).count() == 4
        rows = service.figures(session, start=datetime(2026, 11, 1, tzinfo=UTC), end=datetime(2026, 12, 1,
                                                                                                  tzinfo=UTC))
    by_district = {r.district_id: r for r in rows}
    assert by_district[d1].received == 1 and by_district[d1].answered_on_time == 1
    assert by_district[d1].open == 0 and by_district[d1].overdue == 0
    two = [r for r in rows if r.district_id == d2]
    assert sum(r.received for r in two) == 3 and sum(r.answered for r in two) == 1
    assert sum(r.answered_on_time for r in two) == 0
    # late answered after its deadline (+1), still_open is past 24 Nov at 1 Dec (+1), the manually routed one too
    assert sum(r.overdue for r in two) == 3 and sum(r.open for r in two) == 2
    with db.unit_of_work() as session:
        before = service.figures(session, start=datetime(2026, 11, 1, tzinfo=UTC),
                                 end=datetime(2026, 11, 20, tzinfo=UTC))
        assert sum(r.open for r in before) == 3 and sum(r.overdue for r in before) == 0
