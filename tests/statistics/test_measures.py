"""Measures over a small hand-made registry: АППГ, shares, rates, clearance through H5's readings, the cube's delta."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from qorgau.legalstats.clearance import ClearanceInputs, clearance
from qorgau.statistics import measures
from qorgau.statistics.cube import Cube, Record
from qorgau.statistics.measures import Dimension, Period, PeriodKind, resolve

UTC5 = 5 * 3600


def _record(id_: int, day: date, *, cls: str = "crime", severity: str | None = "minor", group: str = "theft",
            status: str = "investigating", ground: str | None = None, identified: int = 1, district: int = 1,
            at: datetime | None = None, generated: bool = False, kind: str = "criminal") -> Record:
    return Record(id=id_, registered_on=day, committed_at=at, kind=kind, offence_class=cls, severity=severity,
                  article_group=group, status=status, termination_ground=ground, persons_identified=identified,
                  lon=51.17, lat=51.17, settlement="Aksai", district_id=district, place_type="street",
                  generated=generated)


def _registry() -> list[Record]:
    """March 2026: 6 counted records (one generated, left out); March 2025: 4."""
    return [
        _record(1, date(2026, 3, 2), status="sent_to_court", at=datetime(2026, 3, 1, 20, 30, tzinfo=UTC)),
        _record(2, date(2026, 3, 5), status="terminated", ground="non_rehabilitating_reconciliation"),
        _record(3, date(2026, 3, 9), status="terminated", ground="rehabilitating_no_event", group="fraud"),
        _record(4, date(2026, 3, 10), status="interrupted", identified=0, cls="misdemeanour", severity=None),
        _record(5, date(2026, 3, 31), status="interrupted", identified=1, district=2, group="fraud"),
        _record(6, date(2026, 3, 15), severity="grave", district=2),
        _record(7, date(2026, 3, 15), generated=True),
        _record(8, date(2025, 3, 1), status="sent_to_court"),
        _record(9, date(2025, 3, 12), status="interrupted", identified=0),
        _record(10, date(2025, 3, 31), group="fraud"),
        _record(11, date(2025, 3, 20), district=2),
        _record(12, date(2026, 4, 1)),  # outside the period
    ]


@pytest.fixture
def cube() -> Cube:
    made = Cube(utc_offset_s=UTC5)
    made.load(made.encode(_registry()))
    return made


def test_periods_and_the_same_period_of_last_year() -> None:
    assert resolve(PeriodKind.QUARTER, date(2026, 5, 9)) == Period(date(2026, 4, 1), date(2026, 6, 30))
    assert resolve(PeriodKind.HALF, date(2026, 9, 1)) == Period(date(2026, 7, 1), date(2026, 12, 31))
    assert resolve(PeriodKind.YTD, date(2026, 5, 9)) == Period(date(2026, 1, 1), date(2026, 5, 9))
    assert resolve(PeriodKind.MONTH, date(2024, 2, 10)).previous_year() == Period(date(2023, 2, 1), date(2023, 2, 28))
    with pytest.raises(ValueError, match="custom"):
        resolve(PeriodKind.CUSTOM, date(2026, 1, 1), date(2026, 2, 1), date(2026, 1, 1))


def test_headline_with_appg_rate_shares_and_clearance(cube: Cube) -> None:
    march = resolve(PeriodKind.MONTH, date(2026, 3, 1))
    found = measures.headline(cube, march, population=20_000)
    assert (found.total.current, found.total.previous, found.total.delta) == (6, 4, 2)
    assert found.total.percent == 50.0
    assert found.rate == (3.0, 2.0)  # 6 and 4 per 20,000 residents, per 10,000
    classes = {p.label: (p.counts.current, p.counts.previous, p.share) for p in found.by_class}
    assert classes == {"crime": (5, 4, 0.83333), "misdemeanour": (1, 0, 0.16667)}
    groups = {p.label: (p.counts.current, p.counts.previous) for p in found.by_group}
    assert groups == {"theft": (4, 3), "fraud": (2, 1)}
    department = next(c for c in found.clearance if c.reading == "department")
    expected = ClearanceInputs(registered=6, sent_to_court=1, terminated_non_rehabilitating=1,
                               terminated_rehabilitating=1, interrupted=2, interrupted_unidentified=1)
    assert department.inputs == expected
    assert department.current == clearance(expected, "department") == pytest.approx(2 / 4)
    assert department.previous == pytest.approx(1 / 2)
    assert "окончены" in department.formula["ru"]
    with_generated = measures.headline(cube, march, include_generated=True)
    assert with_generated.total.current == 7 and with_generated.rate == (None, None)


def test_clearance_counts_criminal_offences_only() -> None:
    """An administrative offence decided by its protocol is counted among the offences, never in clearance."""
    made = Cube(utc_offset_s=UTC5)
    made.load(made.encode([*_registry(), _record(20, date(2026, 3, 3), kind="administrative", cls="administrative",
                                                 severity=None, status="sent_to_court")]))
    found = measures.headline(made, resolve(PeriodKind.MONTH, date(2026, 3, 1)))
    assert found.total.current == 7
    department = next(c for c in found.clearance if c.reading == "department")
    assert (department.inputs.registered, department.inputs.sent_to_court) == (6, 1)
    assert department.current == pytest.approx(2 / 4)


def test_slices_heatmap_and_trend(cube: Cube) -> None:
    march = resolve(PeriodKind.MONTH, date(2026, 3, 1))
    district = cube.vocab["district"]
    by_district = measures.slices(cube, march, Dimension.DISTRICT, populations={"1": 10_000, "2": 5_000})
    assert [(p.label, p.counts.current, p.counts.previous, p.rate) for p in by_district] == [
        ("1", 4, 3, 4.0), ("2", 2, 1, 4.0)]
    only_two = measures.slices(cube, march, Dimension.ARTICLE_GROUP, where={"district": [district.code("2")]})
    assert {(p.label, p.counts.current) for p in only_two} == {("fraud", 1), ("theft", 1)}
    hours = measures.slices(cube, march, Dimension.HOUR)
    # Committed 20:30 UTC on 1 March is 01:30 local on Monday 2 March.
    assert hours[1].counts.current == 1 and sum(p.counts.current for p in hours) == 1
    grid = measures.heatmap(cube, march)
    assert grid[0][1] == 1 and sum(map(sum, grid)) == 1
    months = measures.trend(cube, date(2026, 3, 1), date(2026, 4, 30))
    assert [(m.month, m.counts.current, m.counts.previous) for m in months] == [(3, 6, 4), (4, 1, 0)]


def test_upsert_replaces_a_changed_record_and_merges_the_delta(cube: Cube) -> None:
    march = resolve(PeriodKind.MONTH, date(2026, 3, 1))
    changed = _record(6, date(2026, 3, 15), severity="grave", district=2, status="sent_to_court")
    cube.upsert(cube.encode([changed, _record(20, date(2026, 3, 20))]))
    found = measures.headline(cube, march)
    assert found.total.current == 7
    assert next(c for c in found.clearance if c.reading == "department").inputs.sent_to_court == 2
    cube.upsert(cube.encode([]), np.array([20], np.int64))  # became a draft again: it leaves the figures
    assert measures.headline(cube, march).total.current == 6
    assert len(cube) == 12  # every record once, generated and April ones too
    cube.load(cube.main.take(cube.alive))
    assert measures.headline(cube, march).total.current == 5  # the delta's record 6 is not in main alone


def _naive(records: dict[int, Record], first: date, last: date, district: int | None, group: str | None,
           include_generated: bool) -> tuple[int, int, int]:
    """Total, sent to court and interrupted-unidentified, counted one record at a time."""
    kept = [r for r in records.values() if first <= r.registered_on <= last
            and (district is None or r.district_id == district) and (group is None or r.article_group == group)
            and (include_generated or not r.generated)]
    return (len(kept), sum(r.status == "sent_to_court" for r in kept),
            sum(r.status == "interrupted" and r.persons_identified == 0 for r in kept))


@pytest.mark.parametrize("merge_floor", [1_000_000, 1])
def test_the_cube_agrees_with_a_record_by_record_count_through_upserts(monkeypatch: pytest.MonkeyPatch,
                                                                       merge_floor: int) -> None:
    from qorgau.statistics import cube as cube_module

    monkeypatch.setattr(cube_module, "MERGE_FLOOR", merge_floor)  # 1: every upsert merges into the main segment
    monkeypatch.setattr(cube_module, "MERGE_SHARE", 0.0 if merge_floor == 1 else 1.0)
    rng = np.random.default_rng(11)
    statuses = ["investigating", "sent_to_court", "terminated", "interrupted"]

    def random_record(id_: int) -> Record:
        return _record(id_, date(2025, 1, 1) + timedelta(days=int(rng.integers(0, 500))),
                       status=statuses[int(rng.integers(0, 4))], group=["theft", "fraud", "robbery"][int(
                           rng.integers(0, 3))], district=int(rng.integers(1, 5)), identified=int(rng.integers(0, 2)),
                       generated=bool(rng.random() < 0.1))

    records = {i: random_record(i) for i in range(1, 1501)}
    made = Cube(utc_offset_s=UTC5)
    made.load(made.encode(list(records.values())))
    for _ in range(4):
        changed = [random_record(int(i)) for i in rng.integers(1, 1800, 120)]
        # A refresh reports a row either changed or gone (a draft again), never both.
        removed = [int(i) for i in rng.integers(1, 1800, 15) if int(i) not in {r.id for r in changed}]
        for r in changed:
            records[r.id] = r
        for i in removed:
            records.pop(i, None)
        made.upsert(made.encode(list({r.id: r for r in changed}.values())), np.array(removed, np.int64))
        for first, last in [(date(2025, 1, 1), date(2026, 6, 1)), (date(2025, 3, 1), date(2025, 3, 31))]:
            for district, group in [(None, None), (2, None), (3, "fraud")]:
                for include_generated in (False, True):
                    where: dict[str, list[int]] = {}
                    if district is not None:
                        where["district"] = [made.vocab["district"].code(str(district))]
                    if group is not None:
                        where["article_group"] = [made.vocab["article_group"].code(group)]
                    found = measures.headline(made, Period(first, last), where=where,
                                              include_generated=include_generated)
                    inputs = found.clearance[0].inputs
                    assert (found.total.current, inputs.sent_to_court, inputs.interrupted_unidentified) == _naive(
                        records, first, last, district, group, include_generated)
    assert len(made) == len(records)
