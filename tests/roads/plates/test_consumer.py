"""The plate consumer: crops of a vehicle track are kept while it is in view and read once it has left."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from qorgau.core.db import Database
from qorgau.roads.plates.consumer import FinishedTrack, PlateConsumer, PlateTracks, roads_sink
from qorgau.roads.plates.reader import PlateReader, default_config
from qorgau.roads.plates.render import Degradation, render_vehicle

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class _Track:
    track_id: int
    label: str
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class _Frame:
    device_id: int
    code: str
    wall: datetime
    detected: bool
    tracks: Sequence[_Track]


@pytest.fixture(scope="module")
def reader() -> PlateReader:
    return PlateReader(default_config())


def _frames(text: str, steps: int) -> list[tuple[_Frame, np.ndarray]]:
    """A 1280x720 frame per step with one car (its plate `text`) coming closer, then frames without it."""
    rng = random.Random(4)
    vehicle = render_vehicle(text, "kz_2012_private", Degradation.CLEAR, rng).image
    out = []
    for step in range(steps):
        frame = np.full((720, 1280, 3), 100, dtype=np.uint8)
        height, width = vehicle.shape[:2]
        left, top = 300 + 20 * step, 200 + 10 * step
        frame[top:top + height, left:left + width] = vehicle
        box = (left / 1280, top / 720, (left + width) / 1280, (top + height) / 720)
        out.append((_Frame(7, "ENTRY-1", START + timedelta(seconds=0.2 * step), True,
                           [_Track(11, "car", box), _Track(12, "person", (0.0, 0.0, 0.1, 0.2))]), frame))
    empty = np.full((720, 1280, 3), 100, dtype=np.uint8)
    for extra in range(1, 3):
        out.append((_Frame(7, "ENTRY-1", START + timedelta(seconds=0.2 * steps + 2.0 * extra), True, []), empty))
    return out


def test_a_track_that_left_is_read_once(reader: PlateReader) -> None:
    finished: list[FinishedTrack] = []
    tracks = PlateTracks(finished.append, reader_factory=lambda: reader)
    for analysed, bgr in _frames("512KAZ07", 6):
        tracks.frame(analysed, bgr)
    tracks.close()
    assert len(finished) == 1
    read = finished[0]
    assert (read.device_id, read.camera_code, read.track_id, read.vehicle_class) == (7, "ENTRY-1", 11, "car")
    assert read.read.candidate.text == "512KAZ07" and read.read.frames == 3
    assert read.last_seen == START + timedelta(seconds=1.0)


def test_cameras_not_marked_for_plates_are_ignored(reader: PlateReader) -> None:
    finished: list[FinishedTrack] = []
    tracks = PlateTracks(finished.append, reader_factory=lambda: reader, wanted=lambda device_id: device_id != 7)
    for analysed, bgr in _frames("512KAZ07", 3):
        tracks.frame(analysed, bgr)
    tracks.close()
    assert finished == []


def test_a_track_still_in_view_at_close_is_read(reader: PlateReader) -> None:
    finished: list[FinishedTrack] = []
    tracks = PlateTracks(finished.append, reader_factory=lambda: reader)
    for analysed, bgr in _frames("300ABD02", 2)[:2]:
        tracks.frame(analysed, bgr)
    tracks.close()
    assert [f.read.candidate.text for f in finished] == ["300ABD02"]


def test_a_failing_sink_does_not_stop_the_reader(reader: PlateReader) -> None:
    calls: list[FinishedTrack] = []

    def sink(finished: FinishedTrack) -> None:
        calls.append(finished)
        raise RuntimeError("database away")

    tracks = PlateTracks(sink, reader_factory=lambda: reader)
    for analysed, bgr in _frames("512KAZ07", 3):
        tracks.frame(analysed, bgr)
    tracks.close()
    assert len(calls) == 1


def test_consumer_wants_the_cameras_of_the_plate_reading_groups() -> None:
    @dataclass
    class _Camera:
        device_id: int
        group: str

    consumer = PlateConsumer.__new__(PlateConsumer)
    consumer.groups = frozenset({"city_entry_anpr", "speed"})
    assert consumer.wants(_Camera(1, "city_entry_anpr")) and consumer.wants(_Camera(2, "speed"))
    assert not consumer.wants(_Camera(3, "public_space"))


def test_reads_are_stored_through_roads_and_a_wanted_plate_hits(db: Database, reader: PlateReader) -> None:
    from sqlalchemy import select

    from qorgau.roads.enums import WatchlistKind
    from qorgau.roads.models import PlateHit
    from qorgau.roads.models import PlateRead as StoredRead
    from tests.roads.helpers import entry_camera, watchlist

    camera = entry_camera(db)
    watchlist(db, "Wanted", WatchlistKind.WANTED, "512KAZ07")
    tracks = PlateTracks(roads_sink(db), reader_factory=lambda: reader)
    for analysed, bgr in _frames("512KAZ07", 4):
        tracks.frame(replace(analysed, device_id=camera), bgr)
    tracks.close()
    with db.reading() as session:
        stored = session.scalars(select(StoredRead)).all()
        assert [(r.plate, r.format, r.country, r.region, r.vehicle_class) for r in stored] == [
            ("512KAZ07", "kz_2012_private", "KZ", "07", "car")]
        assert stored[0].crop[:2] == b"\xff\xd8" and 0 < stored[0].confidence <= 1
        assert len(session.scalars(select(PlateHit)).all()) == 1


def test_a_read_carries_colour_lane_and_direction(db: Database, reader: PlateReader) -> None:
    from sqlalchemy import select

    from qorgau.roads.models import PlateRead as StoredRead
    from qorgau.roads.plates.attributes import Colour
    from qorgau.roads.plates.consumer import direction_of
    from tests.roads.helpers import entry_camera

    camera = entry_camera(db)
    # One lane line down the middle of the picture: the car (x 0.23-0.55 of the frame at its closest) is in lane 1.
    lines = {"ENTRY-1": [[[0.7, 0.0], [0.7, 1.0]]]}
    finished: list[FinishedTrack] = []
    store = roads_sink(db, lane_lines=lambda code: lines.get(code, ()),
                       direction=lambda f: direction_of(f, frozenset({"ENTRY-1"}), frozenset()))

    def sink(track: FinishedTrack) -> None:
        finished.append(track)
        store(track)

    tracks = PlateTracks(sink, reader_factory=lambda: reader)
    for analysed, bgr in _frames("512KAZ07", 4):
        tracks.frame(replace(analysed, device_id=camera), bgr)
    tracks.close()
    assert finished[0].approaching is True and finished[0].colour in set(Colour)
    with db.reading() as session:
        stored = session.scalars(select(StoredRead)).one()
        assert (stored.lane, stored.direction, stored.colour) == (1, "in", finished[0].colour)
    # The same track at a camera facing the town leaves it; elsewhere no direction is told.
    assert direction_of(finished[0], frozenset({"ENTRY-1"}), frozenset({"ENTRY-1"})) == "out"
    assert direction_of(finished[0], frozenset(), frozenset()) is None
