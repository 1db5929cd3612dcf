"""The tracker alone, on synthetic detections: ids per class, fast movers, weak detections, ageing, leaving."""

from __future__ import annotations

from datetime import timedelta

from qorgau.video.analytics.contracts import Detection
from qorgau.video.analytics.tracker import Tracker, start_scores
from tests.video.rec_packets import T0


def at(k: int) -> timedelta:
    return timedelta(seconds=0.2 * k)


def test_ids_hold_per_class_and_a_fast_car_keeps_its_id() -> None:
    tracker = Tracker()
    seen = []
    for k in range(6):
        car = Detection("car", 0.9, (0.1 + 0.12 * k, 0.5, 0.2 + 0.12 * k, 0.6))  # no overlap frame to frame
        person = Detection("person", 0.8, (0.1 + 0.12 * k, 0.5, 0.15 + 0.12 * k, 0.65))  # on top of the car
        seen.append({t.label: t.track_id for t in tracker.update([car, person], T0 + at(k))})
    assert seen[0] == {}  # tentative until seen twice
    assert all(s == seen[1] for s in seen[1:]) and seen[1]["car"] != seen[1]["person"]


def test_a_weak_detection_keeps_a_track_but_never_starts_one() -> None:
    tracker = Tracker()
    box = (0.4, 0.4, 0.5, 0.6)
    assert tracker.update([Detection("person", 0.3, box)], T0) == []
    assert tracker.update([Detection("person", 0.3, box)], T0 + at(1)) == []
    tracker.update([Detection("person", 0.9, box)], T0 + at(2))
    track_id = tracker.update([Detection("person", 0.9, box)], T0 + at(3))[0].track_id
    kept = tracker.update([Detection("person", 0.3, box)], T0 + at(4))
    assert [t.track_id for t in kept] == [track_id] and kept[0].score == 0.3


def test_tracks_end_after_their_age_or_when_they_leave_the_picture() -> None:
    tracker = Tracker(max_age_s=1.0)
    for k in range(3):
        tracker.update([Detection("car", 0.9, (0.5, 0.5, 0.6, 0.6)),
                        Detection("car", 0.9, (0.7 + 0.1 * k, 0.1, 0.8 + 0.1 * k, 0.2))], T0 + at(k))
    assert len(tracker.live_boxes(T0 + at(2))) == 2
    assert tracker.live_boxes(T0 + at(5)) == [(0.5, 0.5, 0.6, 0.6)]  # the other drove out at 0.5 per second
    first = tracker.update([], T0 + at(6))
    assert first == [] and tracker.live_boxes(T0 + at(12)) == [(0.5, 0.5, 0.6, 0.6)]
    tracker.update([], T0 + at(8))  # 1.2 s unseen: gone
    assert tracker.live_boxes(T0 + at(8)) == []


def test_a_moving_track_does_not_jump_back_onto_the_car_behind_it() -> None:
    """road-3lane at 5 fps: the leading car goes undetected for a frame; the car following it, about its own length
    behind, must start its own track rather than take the leader's id (a wrong-way line crossing)."""
    tracker = Tracker()
    leader_id = 0
    for k in range(4):  # the leader drives down the picture, 0.08 of its height a frame
        shown = tracker.update([Detection("car", 0.9, (0.4, 0.30 + 0.08 * k, 0.5, 0.40 + 0.08 * k))], T0 + at(k))
        leader_id = shown[0].track_id if shown else leader_id
    # Frame 4: the leader is missed; the follower shows 0.04 behind where the leader was last seen (1.2 box sizes
    # from where it is predicted: near enough for a match by distance, were it not behind).
    tracker.update([Detection("car", 0.9, (0.4, 0.50, 0.5, 0.60))], T0 + at(4))
    follower = tracker.update([Detection("car", 0.9, (0.4, 0.56, 0.5, 0.66))], T0 + at(5))
    assert [t.track_id for t in follower] != [leader_id] and len(follower) == 1


def test_a_still_track_may_still_be_matched_by_distance_in_any_direction() -> None:
    tracker = Tracker()
    box = (0.4, 0.4, 0.5, 0.5)
    tracker.update([Detection("person", 0.9, box)], T0)
    track_id = tracker.update([Detection("person", 0.9, box)], T0 + at(1))[0].track_id
    back = tracker.update([Detection("person", 0.9, (0.28, 0.4, 0.38, 0.5))], T0 + at(2))  # a step left, no overlap
    assert [t.track_id for t in back] == [track_id]


def test_car_bus_and_truck_are_one_object_named_by_its_surest_class() -> None:
    """Seen from above, one car is called truck, bus, truck, car by turns; it keeps one id, called what it was
    most surely seen as. A person on the same spot stays a separate object."""
    tracker = Tracker()
    ids, labels = set(), []
    for k, (label, score) in enumerate((("truck", 0.5), ("bus", 0.5), ("truck", 0.6), ("car", 0.7))):
        box = (0.1 + 0.05 * k, 0.4, 0.3 + 0.05 * k, 0.6)
        shown = tracker.update([Detection(label, score, box), Detection("person", 0.9, box)], T0 + at(k))
        ids |= {t.track_id for t in shown if t.label != "person"}
        labels += [t.label for t in shown if t.label != "person"]
    assert len(ids) == 1 and labels == ["truck", "truck", "truck"]
    assert {t.label for t in shown} == {"truck", "person"}


def test_a_camera_with_its_own_thresholds_starts_tracks_from_them() -> None:
    assert start_scores({"car": 0.14, "truck": 0.6}) == {"car": 0.14, "truck": 0.45}
    tracker = Tracker(high_by_label=start_scores({"car": 0.14}))
    box = (0.4, 0.4, 0.5, 0.5)
    tracker.update([Detection("car", 0.2, box), Detection("person", 0.2, box)], T0)
    shown = tracker.update([Detection("car", 0.2, box), Detection("person", 0.2, box)], T0 + at(1))
    assert [t.label for t in shown] == ["car"]  # the person's threshold is the general one: 0.2 starts nothing
    assert shown[0].origin == box
