"""The roads' composed clips: the plates on them are read by the real plate reader from the stream the analysis
decodes (the sub stream), the crossing's signal head reads red when it is, and the clips are encoded as the others."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from qorgau.roads.enforcement import measure
from qorgau.roads.plates.reader import PlateReader, default_config
from qorgau.roads.plates.vote import vote
from qorgau.roads.seed import LAMP_ROI, WANTED_PLATE
from qorgau.simulator.video.cameras import OWN_CLIP, SCENES
from qorgau.simulator.video.compose_roads import RED_FROM_S, SIGNAL_CYCLE_S, YELLOW_S

CLIPS = Path(__file__).parents[2] / "src" / "qorgau" / "simulator" / "video" / "clips"
FAMILIES = ("roads-entry", "roads-speed", "roads-crossing")


@pytest.fixture(scope="module")
def reader() -> PlateReader:
    return PlateReader(default_config())


def _frames(clip: Path, wanted: set[int]) -> dict[int, np.ndarray]:
    """The wanted frames of a clip, decoded in order as the analysis does (BGR)."""
    out: dict[int, np.ndarray] = {}
    with av.open(str(clip)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index in wanted:
                out[index] = frame.to_ndarray(format="bgr24")
            if index >= max(wanted):
                break
    return out


def _sightings(family: str, plates: int) -> dict[str, list[dict[str, Any]]]:
    """For the first ``plates`` plates of a clip, their three widest recorded sightings (as the consumer keeps)."""
    truth = json.loads((CLIPS / f"{family}-plates.json").read_text())
    by_plate: dict[str, list[dict[str, Any]]] = {}
    for seen in truth:
        by_plate.setdefault(seen["plate"], []).append(seen)
    chosen = list(by_plate)[:plates]
    return {plate: sorted(by_plate[plate], key=lambda s: s["box"][0] - s["box"][2])[:3] for plate in chosen}


@pytest.mark.timeout(40)
@pytest.mark.parametrize(("family", "plates", "exact_at_least"), [("roads-entry", 6, 5), ("scene-wanted-car", 4, 3)])
def test_the_plates_are_read_from_the_sub_stream(reader: PlateReader, family: str, plates: int,
                                                 exact_at_least: int) -> None:
    sightings = _sightings(family, plates)
    frames = _frames(CLIPS / f"{family}-sub.mp4", {s["frame"] for seen in sightings.values() for s in seen})
    exact: list[str] = []
    for plate, seen in sightings.items():
        reads = []
        for s in seen:
            x1, y1, x2, y2 = s["box"]
            read = reader.read(np.ascontiguousarray(frames[s["frame"]][max(0, y1):y2, max(0, x1):x2]))
            if read is not None:
                reads.append(read)
        voted = vote(reads)
        # Never an invented plate: what is read is the plate drawn, or partial, or nothing.
        if voted is not None and voted.candidate.complete:
            assert voted.candidate.text == plate, (plate, voted.candidate.text)
            exact.append(plate)
    assert len(exact) >= exact_at_least, (sorted(sightings), exact)
    if family == "scene-wanted-car":
        assert WANTED_PLATE in exact


@pytest.mark.timeout(20)
def test_the_crossing_signal_head_is_read_red_only_when_red() -> None:
    fps = 30
    times = {"green": 2.0, "yellow": RED_FROM_S - YELLOW_S / 2, "red": RED_FROM_S + 3.0, "red_late": SIGNAL_CYCLE_S - 1}
    frames = _frames(CLIPS / "roads-crossing-sub.mp4", {round(t * fps) for t in times.values()})
    lit = {name: measure.red_lamp(frames[round(t * fps)], LAMP_ROI).red for name, t in times.items()}
    assert lit == {"green": False, "yellow": False, "red": True, "red_late": True}


@pytest.mark.parametrize("family", [*FAMILIES, "scene-wanted-car"])
def test_the_clips_are_encoded_like_the_others(family: str) -> None:
    for stream, size in (("main", (1280, 720)), ("sub", (640, 360))):
        path = CLIPS / f"{family}-{stream}.mp4"
        assert path.stat().st_size < 700_000, path  # a few hundred kB each
        with av.open(str(path)) as container:
            video = container.streams.video[0]
            assert (video.codec_context.name, video.codec_context.profile) == ("h264", "Main")
            assert (video.width, video.height) == size and video.average_rate == 30
            keys = [i for i, packet in enumerate(container.demux(video)) if packet.is_keyframe]
            # A key frame at least every second (the encoder adds one at a scene cut, as in the other clips).
            assert keys[0] == 0 and max(b - a for a, b in itertools.pairwise(keys)) <= 30
            assert not video.codec_context.has_b_frames


def test_the_roads_cameras_have_their_own_clips() -> None:
    assert {OWN_CLIP[kind] for kind in ("city_entry", "speed_point", "intersection")} == set(FAMILIES)
    assert "wanted-car" in SCENES
    for family in FAMILIES:
        assert (CLIPS / f"{family}-main.mp4").is_file() and (CLIPS / f"{family}-sub.mp4").is_file()


@pytest.mark.timeout(20)
def test_vehicle_colours_on_the_real_footage() -> None:
    from qorgau.roads.plates.attributes import Colour, colour_of

    # Vehicles of road-3lane whose colour a person names without doubt (a white van, a dark blue car, grey cars);
    # silver cars under the clip's cool light go white, grey or blue, which a bulletin's reader would accept.
    expected = {"123ABC07": Colour.WHITE, "A123BC64": Colour.BLUE, "117MNE07": Colour.GREY, "850SAD03": Colour.GREY}
    widest = {plate: seen[0] for plate, seen in _sightings("roads-entry", 12).items() if plate in expected}
    frames = _frames(CLIPS / "roads-entry-sub.mp4", {s["frame"] for s in widest.values()})
    named = {}
    for plate, s in widest.items():
        x1, y1, x2, y2 = s["box"]
        named[plate] = colour_of(np.ascontiguousarray(frames[s["frame"]][max(0, y1):y2, max(0, x1):x2]))
    assert named == expected
