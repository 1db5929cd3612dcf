"""A video-worker frame consumer that reads the plates of tracked vehicles on plate-reading cameras.

It plugs into the video analytics' consumer list by name (``"qorgau.roads.plates.consumer:PlateConsumer"``) and is
typed against the frames' shape structurally, so the video domain never imports roads and roads imports nothing of
the video worker. The analysis thread only copies the few largest crops of each vehicle track (a read costs
15-30 ms, far more than a frame's share); when a track has left, its crops are read, voted into one read and handed
to a sink in the consumer's own thread. The default sink stores the read through `qorgau.roads.service`.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from qorgau.core.db import Database
from qorgau.roads.frames import TRACK_GONE, VEHICLE_LABELS, DetectedFrame
from qorgau.roads.plates.attributes import Box, approaching, colour_of, lane_of
from qorgau.roads.plates.reader import Image3, PlateReader, default_config
from qorgau.roads.plates.vote import TrackRead, vote

log = logging.getLogger(__name__)
# Camera purposes (the registry's CameraPurpose values) whose vehicles get their plates read.
CROPS_PER_TRACK = 3  # the largest sightings: the plate is biggest (and sharpest) there
MIN_BOX_PX = 60  # narrower vehicle boxes carry no readable plate
ENTRY_GROUP = "city_entry_anpr"  # the cameras whose reads say in or out of town


@dataclass(frozen=True, slots=True)
class FinishedTrack:
    """A vehicle track that left the picture, with its voted plate read."""

    device_id: int
    camera_code: str
    track_id: int
    vehicle_class: str
    first_seen: datetime
    last_seen: datetime
    read: TrackRead
    colour: str | None = None  # attributes.Colour of the largest crop
    box: Box | None = None  # the largest sighting's box (shares of the frame): where the lane is read
    approaching: bool | None = None  # came towards the camera; None: hardly moved


@dataclass(slots=True)
class _Pending:
    device_id: int
    code: str
    track_id: int
    label: str
    first_seen: datetime
    last_seen: datetime
    first_box: Box
    last_box: Box
    # (box area, BGR crop, box), largest first
    crops: list[tuple[int, Image3, Box]] = field(default_factory=list)


Sink = Callable[[FinishedTrack], None]


class PlateTracks:
    """Collects the crops of each vehicle track and reads a track once it has left (the testable core)."""

    def __init__(self, sink: Sink, reader_factory: Callable[[], PlateReader] = lambda: PlateReader(default_config()),
                 wanted: Callable[[int], bool] = lambda _device_id: True) -> None:
        self.sink = sink
        self.wanted = wanted
        self._reader_factory = reader_factory
        self._pending: dict[tuple[int, int], _Pending] = {}
        self._finished: queue.Queue[_Pending | None] = queue.Queue(maxsize=1000)
        self.dropped = 0
        self._thread = threading.Thread(target=self._read_loop, name="plate-reader", daemon=True)
        self._thread.start()

    def frame(self, analysed: DetectedFrame, bgr: Image3) -> None:
        """Copy the crops worth reading from one frame; hand on the tracks of this camera that have left."""
        if not self.wanted(analysed.device_id) or not analysed.detected:
            return
        height, width = bgr.shape[:2]
        present: set[int] = set()
        for track in analysed.tracks:
            if track.label not in VEHICLE_LABELS:
                continue
            present.add(track.track_id)
            key = (analysed.device_id, track.track_id)
            pending = self._pending.get(key)
            if pending is None:
                pending = self._pending[key] = _Pending(analysed.device_id, analysed.code, track.track_id,
                                                        track.label, analysed.wall, analysed.wall, track.box,
                                                        track.box)
            pending.last_seen, pending.last_box = analysed.wall, track.box
            x1, y1 = max(0, int(track.box[0] * width)), max(0, int(track.box[1] * height))
            x2, y2 = min(width, int(track.box[2] * width)), min(height, int(track.box[3] * height))
            area = (x2 - x1) * (y2 - y1)
            if x2 - x1 < MIN_BOX_PX or y2 - y1 < MIN_BOX_PX // 2:
                continue
            if len(pending.crops) < CROPS_PER_TRACK or area > pending.crops[-1][0]:
                crop = np.ascontiguousarray(bgr[y1:y2, x1:x2])  # a copy: the frame is not ours past the call
                pending.crops = sorted([*pending.crops, (area, crop, track.box)],
                                       key=lambda item: -item[0])[:CROPS_PER_TRACK]
        for key, pending in list(self._pending.items()):
            if key[0] == analysed.device_id and key[1] not in present \
                    and analysed.wall - pending.last_seen >= TRACK_GONE:
                self._finish(self._pending.pop(key))

    def _finish(self, pending: _Pending) -> None:
        if not pending.crops:
            return
        try:
            self._finished.put_nowait(pending)
        except queue.Full:  # the reader cannot keep up: lose tracks, never the worker's memory
            self.dropped += 1

    def _read_loop(self) -> None:
        reader: PlateReader | None = None
        while (pending := self._finished.get()) is not None:
            try:
                reader = reader or self._reader_factory()
                reads = [read for _, crop, _ in pending.crops if (read := reader.read(crop)) is not None]
                voted = vote(reads)
                if voted is not None:
                    _, largest, box = pending.crops[0]
                    colour = colour_of(largest)
                    self.sink(FinishedTrack(pending.device_id, pending.code, pending.track_id, pending.label,
                                            pending.first_seen, pending.last_seen, voted,
                                            colour.value if colour else None, box,
                                            approaching(pending.first_box, pending.last_box)))
            except Exception:  # one bad track must not stop the reading of the others
                log.exception("plate reading failed for a track of camera %s", pending.code)

    def close(self, timeout: float = 30.0) -> None:
        """Read what is still in view as finished, then stop the reading thread."""
        for key in list(self._pending):
            self._finish(self._pending.pop(key))
        self._finished.put(None)
        self._thread.join(timeout)


def direction_of(finished: FinishedTrack, entries: frozenset[str], facing_town: frozenset[str]) -> str | None:
    """in or out at a city-entry camera: an entry camera watches the traffic that arrives (approaching is in)
    unless it is one of those facing the town; elsewhere None (the heading is the camera's business)."""
    if finished.camera_code not in entries or finished.approaching is None:
        return None
    return "in" if finished.approaching != (finished.camera_code in facing_town) else "out"


def roads_sink(db: Database, lane_lines: Callable[[str], Sequence[Any]] = lambda _code: (),
               direction: Callable[[FinishedTrack], str | None] = lambda _finished: None) -> Sink:
    """A sink that stores each read (and raises watch-list hits) through the roads domain's service; the lane is
    read against ``lane_lines(camera code)``, the direction told by ``direction``."""
    import cv2

    from qorgau.roads import service as roads_service
    from qorgau.roads.schemas import PlateReadIn

    def store(finished: FinishedTrack) -> None:
        candidate = finished.read.candidate
        ok, jpeg = cv2.imencode(".jpg", finished.read.crop, [cv2.IMWRITE_JPEG_QUALITY, 85])
        if not ok:  # a read is stored with its picture or not at all (the roads service requires the crop)
            log.warning("plate crop of camera %s could not be encoded; the read is dropped", finished.device_id)
            return
        read_in = PlateReadIn(
            device_id=finished.device_id, seen_at=finished.last_seen, plate=candidate.text,
            format=candidate.format_code, country=candidate.country.value, region=candidate.region_code,
            confidence=finished.read.confidence, crop=bytes(jpeg.tobytes()),
            vehicle_class=finished.vehicle_class, track_id=finished.track_id, colour=finished.colour,
            lane=lane_of(finished.box, lane_lines(finished.camera_code)) if finished.box else None,
            direction=direction(finished),
        )
        with db.unit_of_work() as session:
            roads_service.record_read(session, read_in)

    return store


class PlateConsumer:
    """The video worker's consumer (``FrameConsumer`` and ``CameraChooser`` by shape): plate cameras' vehicles."""

    def __init__(self, worker: Any) -> None:
        self.worker = worker
        settings = worker.settings
        self.groups = frozenset(settings.plate_reading_groups)
        lanes: dict[str, Any] = {code.upper(): lines for code, lines in settings.plate_lane_lines.items()}
        facing_town = frozenset(code.upper() for code in settings.plate_entry_cameras_facing_town)
        sink = roads_sink(worker.db, lane_lines=lambda code: lanes.get(code.upper(), ()),
                          direction=lambda finished: direction_of(finished, self._entry_codes(), facing_town))
        self.tracks = PlateTracks(sink, wanted=self._is_plate_camera)

    def _is_plate_camera(self, device_id: int) -> bool:
        return any(camera.device_id == device_id and self.wants(camera) for camera in self.worker.cameras())

    def _entry_codes(self) -> frozenset[str]:
        return frozenset(camera.code for camera in self.worker.cameras() if str(camera.group) == ENTRY_GROUP)

    def wants(self, camera: Any) -> bool:
        """Cameras of the plate-reading groups (settings) are analysed."""
        return str(camera.group) in self.groups

    def frame(self, analysed: DetectedFrame, bgr: Image3) -> None:
        """One analysed frame (BGR) of one camera."""
        self.tracks.frame(analysed, bgr)

    def close(self) -> None:
        """The worker stops: read the tracks still in view."""
        self.tracks.close()
