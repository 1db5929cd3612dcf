"""The analytics rules engine: per camera, each analysed frame in, the events its rules raise and the line
crossings it counts out. Pure: no database, no clock but the frames' own capture times.

Each event fires once per episode, with hysteresis so a box that jitters on an edge does not fire again: an
object leaves a zone only after it has been outside for ``EXIT_S``; a line is crossed when the object's
anchor changes side by more than ``LINE_BAND`` (and once per direction per track); a crowd ends after the
count has stayed at or below the threshold for ``CROWD_CLEAR_S``; a stopped vehicle starts moving again when it
has gone twice ``STILL_RADIUS`` from where it stopped. A frame the detector skipped (no motion) means that
nothing moved: the objects last seen are taken to be where they were, so a parked car or a person standing
still keeps its clock running while the motion gate keeps the detector idle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from qorgau.video.analytics import geometry
from qorgau.video.analytics.contracts import AnalysedFrame, Track
from qorgau.video.analytics.enums import Direction, RuleKind
from qorgau.video.analytics.geometry import Point

EXIT_S = 2.0
GONE_S = 5.0
CROWD_CLEAR_S = 5.0
STILL_RADIUS = 0.02
LINE_BAND = 0.01
LINE_REACH = 0.05  # how far past a line's ends a crossing still counts (share of the line's length)
ALL_DAYS = frozenset(range(7))


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a rule is armed: weekdays (0 = Monday) on which the window starts, and local minutes from–to."""

    days: frozenset[int] = ALL_DAYS
    start_min: int | None = None
    end_min: int | None = None

    def active(self, local: datetime) -> bool:
        """Whether the rule is armed at ``local``; a window past midnight belongs to the day it started."""
        day, minute = local.weekday(), local.hour * 60 + local.minute
        start, end = self.start_min, self.end_min
        if start is None or end is None or start == end:
            return day in self.days
        if start < end:
            return day in self.days and start <= minute < end
        return (day in self.days and minute >= start) or ((day - 1) % 7 in self.days and minute < end)


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule as the engine needs it (built from the table by the service)."""

    id: int
    name: str
    kind: RuleKind
    points: tuple[Point, ...]
    classes: frozenset[str]
    schedule: Schedule = Schedule()
    min_seconds: float = 0.0
    min_count: int = 0
    direction: Direction = Direction.BOTH
    alert: bool = True


@dataclass(frozen=True, slots=True)
class Hit:
    """An event a rule raised: the object (or, for a crowd, the objects) to draw on the snapshot."""

    rule: RuleSpec
    at: datetime
    tracks: tuple[Track, ...]
    count: int | None = None
    direction: Direction | None = None

    @property
    def track(self) -> Track | None:
        return self.tracks[0] if self.rule.kind is not RuleKind.CROWD and self.tracks else None


@dataclass(frozen=True, slots=True)
class Crossing:
    """One object across one line, for the traffic counts."""

    rule_id: int
    at: datetime
    direction: Direction
    label: str


@dataclass(slots=True)
class Outcome:
    hits: list[Hit] = field(default_factory=list)
    crossings: list[Crossing] = field(default_factory=list)
    zones: dict[int, set[int]] = field(default_factory=dict)  # track id → polygon rules its anchor is in now


@dataclass(slots=True)
class _TrackState:
    track: Track
    seen_at: datetime
    inside_since: dict[int, datetime] = field(default_factory=dict)
    outside_since: dict[int, datetime] = field(default_factory=dict)
    fired: set[int] = field(default_factory=set)
    side: dict[int, int] = field(default_factory=dict)
    crossed: set[tuple[int, Direction]] = field(default_factory=set)
    still_at: Point | None = None
    still_since: datetime | None = None


@dataclass(slots=True)
class _CrowdState:
    over_since: datetime | None = None
    low_since: datetime | None = None
    fired: bool = False


class CameraRules:
    """One camera's rules and what it remembers between frames."""

    def __init__(self, rules: Sequence[RuleSpec], zone: ZoneInfo) -> None:
        self.rules = list(rules)
        self.zone = zone
        self._tracks: dict[int, _TrackState] = {}
        self._crowds: dict[int, _CrowdState] = {}

    def replace_rules(self, rules: Sequence[RuleSpec]) -> None:
        """New or edited rules: what is remembered per track carries over for the rules that remain."""
        self.rules = list(rules)
        kept = {rule.id for rule in rules}
        self._crowds = {rid: state for rid, state in self._crowds.items() if rid in kept}

    def update(self, frame: AnalysedFrame) -> Outcome:
        """Apply the rules to one frame (frames of one camera in capture order)."""
        now = frame.wall
        if frame.detected:
            for track in frame.tracks:
                state = self._tracks.get(track.track_id)
                if state is None:
                    self._tracks[track.track_id] = _TrackState(track, now)
                else:
                    state.track, state.seen_at = track, now
            gone = now - timedelta(seconds=GONE_S)
            self._tracks = {tid: s for tid, s in self._tracks.items() if s.seen_at >= gone}
        out = Outcome()
        armed = {rule.id: rule.schedule.active(now.astimezone(self.zone)) for rule in self.rules}
        for rule in self.rules:
            if rule.kind is RuleKind.LINE:
                self._line(rule, now, armed[rule.id], out)
            elif rule.kind is RuleKind.CROWD:
                self._crowd(rule, now, armed[rule.id], out)
            else:
                self._per_track(rule, now, armed[rule.id], out)
        return out

    def _matching(self, rule: RuleSpec) -> list[_TrackState]:
        return [s for s in self._tracks.values() if s.track.label in rule.classes]

    def _inside(self, rule: RuleSpec, state: _TrackState, now: datetime, out: Outcome) -> bool:
        """Whether the track is in the rule's polygon, with the exit hysteresis; keeps its episode."""
        if geometry.inside(geometry.anchor(state.track.box), rule.points):
            out.zones.setdefault(state.track.track_id, set()).add(rule.id)
            state.inside_since.setdefault(rule.id, now)
            state.outside_since.pop(rule.id, None)
            return True
        if rule.id in state.inside_since:
            left = state.outside_since.setdefault(rule.id, now)
            if (now - left).total_seconds() < EXIT_S:
                return True  # not out long enough: the same episode
            state.inside_since.pop(rule.id, None)
            state.outside_since.pop(rule.id, None)
            state.fired.discard(rule.id)
        return False

    def _per_track(self, rule: RuleSpec, now: datetime, armed: bool, out: Outcome) -> None:
        for state in self._matching(rule):
            if rule.kind is RuleKind.STOPPED_VEHICLE:
                self._stillness(rule, state, now)
            if not self._inside(rule, state, now, out) or rule.id in state.fired or not armed:
                continue
            if rule.kind is RuleKind.ZONE:
                due = True
            elif rule.kind is RuleKind.LOITERING:
                due = (now - state.inside_since[rule.id]).total_seconds() >= rule.min_seconds
            else:  # stopped vehicle: still for long enough, and in the zone
                due = state.still_since is not None and \
                    (now - state.still_since).total_seconds() >= rule.min_seconds
            if due:
                state.fired.add(rule.id)
                out.hits.append(Hit(rule, now, (state.track,)))

    def _stillness(self, rule: RuleSpec, state: _TrackState, now: datetime) -> None:
        """Where the vehicle stopped and since when; moving off (twice the radius once it fired) starts anew."""
        here = geometry.centre(state.track.box)
        if state.still_at is None:
            state.still_at, state.still_since = here, now
            return
        moved = ((here[0] - state.still_at[0]) ** 2 + (here[1] - state.still_at[1]) ** 2) ** 0.5
        limit = 2 * STILL_RADIUS if rule.id in state.fired else STILL_RADIUS
        if moved > limit:
            state.still_at, state.still_since = here, now
            state.fired.discard(rule.id)

    def _crowd(self, rule: RuleSpec, now: datetime, armed: bool, out: Outcome) -> None:
        state = self._crowds.setdefault(rule.id, _CrowdState())
        there = [s.track for s in self._matching(rule) if self._inside(rule, s, now, out)]
        if len(there) > rule.min_count:
            state.low_since = None
            state.over_since = state.over_since or now
            if not state.fired and armed and (now - state.over_since).total_seconds() >= rule.min_seconds:
                state.fired = True
                out.hits.append(Hit(rule, now, tuple(there), count=len(there)))
            return
        state.over_since = None
        if state.fired:
            state.low_since = state.low_since or now
            if (now - state.low_since).total_seconds() >= CROWD_CLEAR_S:
                state.fired, state.low_since = False, None

    def _line(self, rule: RuleSpec, now: datetime, armed: bool, out: Outcome) -> None:
        a, b = rule.points[0], rule.points[1]
        for state in self._matching(rule):
            point = geometry.anchor(state.track.box)
            distance = geometry.side_distance(a, b, point)
            if abs(distance) < LINE_BAND:
                continue  # on the line: no side yet
            side = 1 if distance > 0 else -1
            before = state.side.get(rule.id)
            if before is None and state.track.origin is not None:
                before = _side(a, b, geometry.anchor(state.track.origin))  # where it came from before it was confirmed
            state.side[rule.id] = side
            if before is None or before == side or not -LINE_REACH <= geometry.along(a, b, point) <= 1 + LINE_REACH:
                continue
            direction = Direction.FORWARD if side > 0 else Direction.BACKWARD
            if (rule.id, direction) in state.crossed:
                continue  # once per track and direction
            state.crossed.add((rule.id, direction))
            out.crossings.append(Crossing(rule.id, now, direction, state.track.label))
            if rule.alert and armed and rule.direction in (Direction.BOTH, direction):
                out.hits.append(Hit(rule, now, (state.track,), direction=direction))


def _side(a: Point, b: Point, point: Point) -> int | None:
    """Which side of the line a point lies on (1 or -1), None when on it."""
    distance = geometry.side_distance(a, b, point)
    return None if abs(distance) < LINE_BAND else (1 if distance > 0 else -1)
