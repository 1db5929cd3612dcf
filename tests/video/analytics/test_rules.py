"""The analytics rules engine on synthetic tracks: each kind of rule, schedules across midnight, line counts per
direction, and each event once per track or episode (hysteresis on jittering boxes)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qorgau.video.analytics import geometry
from qorgau.video.analytics.contracts import AnalysedFrame, Box, Track
from qorgau.video.analytics.enums import Direction, RuleKind
from qorgau.video.analytics.rules import CameraRules, Outcome, RuleSpec, Schedule

ZONE = ZoneInfo("Asia/Oral")  # UTC+5, Aksai's zone
T0 = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)  # Monday 23:00 local
YARD = ((0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8))
PERSON = frozenset({"person"})
VEHICLES = frozenset({"car", "truck", "bus"})


def box_at(x: float, y: float, w: float = 0.06, h: float = 0.12) -> Box:
    """A box whose bottom centre (the anchor) is at x, y."""
    return (x - w / 2, y - h, x + w / 2, y)


def frame(at: datetime, tracks: Sequence[tuple[int, str, Box]], *, detected: bool = True) -> AnalysedFrame:
    return AnalysedFrame(device_id=1, code="CAM-0001", wall=at, width=640, height=360, motion=0.1,
                         tracks=[Track(tid, label, 0.9, box, T0, at) for tid, label, box in tracks],
                         detected=detected)


def run(engine: CameraRules, steps: Sequence[tuple[float, Sequence[tuple[int, str, Box]]]]) -> list[Outcome]:
    return [engine.update(frame(T0 + timedelta(seconds=s), tracks)) for s, tracks in steps]


def kinds(outcomes: Sequence[Outcome]) -> list[tuple[str, int | None]]:
    return [(h.rule.kind.value, h.track.track_id if h.track else None) for o in outcomes for h in o.hits]


def test_a_person_entering_a_zone_fires_once_per_episode_despite_jitter() -> None:
    rule = RuleSpec(1, "yard", RuleKind.ZONE, YARD, PERSON)
    engine = CameraRules([rule], ZONE)
    steps: list[tuple[float, list[tuple[int, str, Box]]]] = [
        (0, [(7, "person", box_at(0.1, 0.5))]),  # outside
        (0.2, [(7, "person", box_at(0.3, 0.5)), (8, "car", box_at(0.5, 0.5))]),  # enters; a car is no person
        (0.4, [(7, "person", box_at(0.19, 0.5))]),  # jitters out over the edge…
        (0.6, [(7, "person", box_at(0.21, 0.5))]),  # …and back within EXIT_S: same episode
        (1.0, [(7, "person", box_at(0.5, 0.5))]),
        (2.0, [(7, "person", box_at(0.05, 0.5))]),  # leaves
        (4.5, [(7, "person", box_at(0.05, 0.5))]),  # outside for 2.5 s: the episode is over
        (5.0, [(7, "person", box_at(0.4, 0.5))]),  # comes back: a new episode
    ]
    outcomes = run(engine, steps)
    assert kinds(outcomes) == [("zone", 7), ("zone", 7)]
    assert [i for i, o in enumerate(outcomes) if o.hits] == [1, 7]
    assert outcomes[1].zones == {7: {1}}  # for the object search: which zones the object was in


def test_a_schedule_across_midnight_arms_the_zone_only_at_night_on_its_days() -> None:
    night = Schedule(frozenset({0}), 22 * 60, 6 * 60)  # Monday night 22:00 → Tuesday 06:00
    local = [datetime(2026, 12, 7, h, m, tzinfo=ZONE) for h, m in ((21, 59), (22, 0), (23, 30))] + \
            [datetime(2026, 12, 8, h, m, tzinfo=ZONE) for h, m in ((5, 59), (6, 0), (23, 0))]
    assert [night.active(t) for t in local] == [False, True, True, True, False, False]
    assert Schedule(frozenset({1}), 9 * 60, 17 * 60).active(datetime(2026, 12, 8, 12, 0, tzinfo=ZONE))
    assert not Schedule(frozenset({1}), 9 * 60, 17 * 60).active(datetime(2026, 12, 8, 17, 0, tzinfo=ZONE))
    assert Schedule().active(datetime(2026, 12, 13, 3, 0, tzinfo=ZONE))  # no schedule: always

    # A person already in the yard when the window opens fires then, not before.
    rule = RuleSpec(1, "yard", RuleKind.ZONE, YARD, PERSON, schedule=Schedule(frozenset({0}), 23 * 60 + 1, 6 * 60))
    engine = CameraRules([rule], ZONE)
    outcomes = run(engine, [(0, [(1, "person", box_at(0.5, 0.5))]), (59, [(1, "person", box_at(0.5, 0.5))]),
                            (61, [(1, "person", box_at(0.5, 0.5))]), (70, [(1, "person", box_at(0.5, 0.5))])])
    assert [bool(o.hits) for o in outcomes] == [False, False, True, False]


def test_line_crossings_are_counted_per_direction_once_per_track() -> None:
    # A horizontal line left → right: its forward side (the arrow) is below it in the picture.
    line = RuleSpec(5, "stop line", RuleKind.LINE, ((0.1, 0.5), (0.9, 0.5)), VEHICLES, direction=Direction.FORWARD)
    engine = CameraRules([line], ZONE)
    steps: list[tuple[float, list[tuple[int, str, Box]]]] = []
    for i, y in enumerate((0.3, 0.4, 0.495, 0.505, 0.6, 0.7)):  # car 1 drives down (forward), through the band
        steps.append((i * 0.2, [(1, "car", box_at(0.5, y)), (2, "car", box_at(0.3, 0.8 - i * 0.1)),
                                (3, "car", box_at(0.95 + 0.01 * i, 0.2 + i * 0.1))]))  # 3 passes beyond the end
    steps += [(1.4, [(1, "car", box_at(0.5, 0.4))]), (1.6, [(1, "car", box_at(0.5, 0.6))])]  # 1 back and forth
    outcomes = run(engine, steps)
    crossings = [(c.rule_id, c.direction.value, c.label) for o in outcomes for c in o.crossings]
    assert sorted(crossings) == [(5, "backward", "car"), (5, "backward", "car"), (5, "forward", "car")]
    # Only the forward crossing alerts; counting goes on whatever the schedule and direction.
    assert [(h.direction, h.track.track_id if h.track else None) for o in outcomes for h in o.hits] == [
        (Direction.FORWARD, 1)]
    counting = CameraRules([RuleSpec(6, "count", RuleKind.LINE, ((0.1, 0.5), (0.9, 0.5)), VEHICLES,
                                     alert=False)], ZONE)
    counted = run(counting, steps)
    assert sum(len(o.crossings) for o in counted) == 3 and not any(o.hits for o in counted)


def test_loitering_fires_after_the_threshold_even_while_the_detector_rests() -> None:
    rule = RuleSpec(2, "entrance", RuleKind.LOITERING, YARD, PERSON, min_seconds=30)
    engine = CameraRules([rule], ZONE)
    fired = []
    engine.update(frame(T0, [(4, "person", box_at(0.5, 0.5))]))
    for s in range(5, 45, 5):  # the person stands still: no motion, the detector does not run
        out = engine.update(frame(T0 + timedelta(seconds=s), [], detected=False))
        fired += [(s, h.track.track_id if h.track else None) for h in out.hits]
    assert fired == [(30, 4)]
    # Gone from the detector's frames for longer than GONE_S: forgotten, and a new track starts anew.
    engine.update(frame(T0 + timedelta(seconds=60), []))
    assert not engine.update(frame(T0 + timedelta(seconds=61), [(9, "person", box_at(0.5, 0.5))])).hits


def test_a_crowd_fires_once_while_more_than_n_stay_and_again_after_it_dispersed() -> None:
    rule = RuleSpec(3, "square", RuleKind.CROWD, YARD, PERSON, min_count=3)
    engine = CameraRules([rule], ZONE)

    def people(n: int) -> list[tuple[int, str, Box]]:
        return [(i, "person", box_at(0.3 + 0.05 * i, 0.5)) for i in range(n)]

    counts = [(0, 3), (1, 4), (2, 5), (3, 3), (4, 4), (10, 2), (16, 2), (17, 4)]
    outcomes = run(engine, [(s, people(n)) for s, n in counts])
    assert [(i, h.count) for i, o in enumerate(outcomes) for h in o.hits] == [(1, 4), (7, 4)]
    assert outcomes[1].hits[0].track is None and len(outcomes[1].hits[0].tracks) == 4


def test_a_vehicle_stopped_longer_than_n_seconds_fires_once_until_it_drives_off() -> None:
    entry = RuleSpec(4, "entry", RuleKind.STOPPED_VEHICLE, YARD, VEHICLES, min_seconds=20)
    engine = CameraRules([entry], ZONE)
    steps: list[tuple[float, list[tuple[int, str, Box]]]] = [
        (s, [(1, "car", box_at(0.3 + 0.02 * s, 0.5)), (2, "person", box_at(0.5, 0.6))]) for s in range(6)]
    steps += [(s, [(1, "car", box_at(0.4 + 0.003 * (s % 2), 0.5))]) for s in range(6, 40, 2)]  # stopped, jitter
    steps += [(40 + s, [(1, "car", box_at(0.42 + 0.05 * s, 0.5))]) for s in range(4)]  # drives off
    outcomes = run(engine, steps)
    assert [(steps[i][0], h.track.track_id if h.track else None) for i, o in enumerate(outcomes)
            for h in o.hits] == [(26, 1)]


@pytest.mark.parametrize(("polygon", "crossing"), [
    (((0.1, 0.1), (0.9, 0.1), (0.9, 0.9), (0.1, 0.9)), False),
    (((0.1, 0.1), (0.9, 0.9), (0.9, 0.1), (0.1, 0.9)), True),  # a figure eight
    (((0.1, 0.1), (0.5, 0.1), (0.5, 0.5), (0.3, 0.1), (0.1, 0.5)), True),  # an edge touches another's corner
])
def test_self_intersecting_polygons_are_recognised(polygon: tuple[tuple[float, float], ...], crossing: bool) -> None:
    assert geometry.self_intersects(polygon) is crossing


def test_a_track_confirmed_past_the_line_counts_from_where_it_was_first_seen() -> None:
    """A fast car seen first above the line and confirmed only below it (its second sighting) still crossed."""
    line = RuleSpec(7, "count", RuleKind.LINE, ((0.1, 0.5), (0.9, 0.5)), VEHICLES, alert=False)
    engine = CameraRules([line], ZONE)
    first, then = box_at(0.5, 0.35), box_at(0.5, 0.62)
    fast = AnalysedFrame(1, "CAM-0001", T0, 640, 360, 0.1, [Track(1, "car", 0.9, then, T0, T0, origin=first)], True)
    stays = AnalysedFrame(1, "CAM-0001", T0, 640, 360, 0.1, [Track(2, "car", 0.9, then, T0, T0, origin=then)], True)
    assert [c.direction for c in engine.update(fast).crossings] == [Direction.FORWARD]
    assert CameraRules([line], ZONE).update(stays).crossings == []
