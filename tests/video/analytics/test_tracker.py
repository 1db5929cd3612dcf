"""The tracker alone, on synthetic detections: ids per class, fast movers, weak detections, ageing, leaving."""

from __future__ import annotations

from datetime import timedelta

from qorgau.video.analytics.contracts import Detection
from qorgau.video.analytics.tracker import Tracker
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
