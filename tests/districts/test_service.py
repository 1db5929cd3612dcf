"""Districts against a real database holding the Aksai model: the seed, residents, versions, all-or-nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import shapely.geometry
from sqlalchemy import func, select

from qorgau.city.aksai import facts
from qorgau.core.bus import Context
from qorgau.core.db import Database
from qorgau.core.errors import ValidationFailed
from qorgau.districts import figures, service
from qorgau.districts.enums import SetSource
from qorgau.districts.models import DistrictSet
from qorgau.districts.seed import seed_aksai
from tests.conftest import CLI_ACTOR
from tests.districts.conftest import RECEPTION

CTX = Context.system("test")


def _seed(db: Database) -> None:
    """The template holds the seed already; seeding again changes nothing."""
    with db.unit_of_work() as session:
        assert not seed_aksai(session, actor=CLI_ACTOR, default_reception=RECEPTION)


@pytest.mark.timeout(60)
def test_the_seed_covers_the_town_and_its_residents_add_up(db: Database) -> None:
    _seed(db)
    with db.reading() as session:
        today = service.current(session)
        assert today is not None and today.version == 1 and today.generated and today.source == "seed"
        districts = today.districts
        assert len(districts) == 8 and [d.number for d in districts] == list(range(1, 9))
        # Every town resident is inside exactly one district (the town's cells lie inside the area).
        assert sum(d.residents for d in districts) == pytest.approx(facts.AKSAI_POPULATION, abs=0.5)
        assert sum(len(d.inspectors) for d in districts) == 12
        assert all(d.site_code is None for d in districts)  # no registry here: no МОП to assign
        detail = service.detail(session, today, norm=2500, site_names=figures.site_names(session))
        assert detail.balance.over_norm == 8 - 4  # the four single-inspector districts exceed 2,500
        assert detail.balance.max - detail.balance.min < 0.1 * detail.balance.mean
        first = detail.districts[0]
        assert first.inspectors[0].username.startswith("uip") and first.site_name is None
        # A position falls into the district whose polygon holds it; outside the town into none.
        inner = shapely.geometry.shape(districts[2].geometry).representative_point()
        lon, lat = inner.x, inner.y
        found = service.district_at(session, lon, lat)
        assert found is not None and found.number == 3
        assert service.district_at(session, facts.AKSAI_CENTRE[0] + 0.5, facts.AKSAI_CENTRE[1]) is None
        assert service.district_at(session, lon, lat, datetime(2000, 1, 1, tzinfo=UTC)) is None  # before v1


@pytest.mark.timeout(60)
def test_accepting_a_proposal_is_a_new_dated_version_and_history_is_kept(db: Database) -> None:
    _seed(db)
    point = facts.AKSAI_CENTRE
    with db.unit_of_work() as session:
        proposal = figures.proposal(session, inspectors=15, norm=2500)
        assert proposal.current is not None and proposal.current.districts == 8
        assert len(proposal.districts) == 15 and proposal.balance.residents == pytest.approx(36352, abs=0.5)
        before = service.district_at(session, *point)
        assert before is not None
        later = datetime.now(UTC) + timedelta(days=1)
        new = service.accept(session, collection=proposal.geojson, source=SetSource.PROPOSAL, actor=CLI_ACTOR, ctx=CTX,
                             valid_from=later, default_reception=RECEPTION)
        assert new.version == 2 and len(new.districts) == 15
        # The old inspectors moved to the new districts that took most of their old ones' area.
        assert sum(len(d.inspectors) for d in new.districts) == 12
    with db.reading() as session:
        assert service.current(session).version == 1  # type: ignore[union-attr]  # not in force until tomorrow
        assert service.current(session, later + timedelta(hours=1)).version == 2  # type: ignore[union-attr]
        versions = service.versions(session, model_id=new.model_id)
        assert [v.version for v in versions] == [2, 1] and versions[1].valid_to == versions[0].valid_from
        assert service.district_at(session, *point).set_id == before.set_id  # type: ignore[union-attr]


@pytest.mark.timeout(60)
def test_invalid_districts_save_nothing(db: Database) -> None:
    _seed(db)
    with db.reading() as session:
        today = service.current(session)
        assert today is not None
        good = service.export(session, today)
    # District 2 swallows district 1 (overlap), and district 1's place is taken by nobody else: one error each.
    bad = {**good, "features": [dict(f) for f in good["features"]]}
    bad["features"][1] = {**bad["features"][1], "geometry": good["features"][0]["geometry"]}
    bad["features"][3]["properties"] = {**bad["features"][3]["properties"], "inspectors": ["nobody"]}
    with db.unit_of_work() as session, pytest.raises(ValidationFailed) as failed:
        service.accept(session, collection=bad, source=SetSource.IMPORT, actor=CLI_ACTOR, ctx=CTX,
                       default_reception=RECEPTION)
    codes = {e["code"] for e in failed.value.errors}
    assert {"districts.problem.overlap", "districts.problem.gap"} <= codes
    with db.unit_of_work() as session, pytest.raises(ValidationFailed) as failed:
        props = {**good["features"][3]["properties"], "inspectors": ["nobody"]}
        stranger = {**good["features"][3], "properties": props}
        service.accept(session, collection={**good, "features": [*good["features"][:3], stranger,
                                                                 *good["features"][4:]]},
                       source=SetSource.IMPORT, actor=CLI_ACTOR, ctx=CTX, default_reception=RECEPTION,
                       valid_from=datetime(2001, 1, 1, tzinfo=UTC))
    assert {e["code"] for e in failed.value.errors} == {"districts.problem.not_inspector",
                                                        "districts.problem.valid_from_before_latest"}
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(DistrictSet)) == 1
