"""Transcoding for live and files: masked regions come out black, the rest close to the source; H.265 → H.264."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.video.fmp4 import Fmp4Muxer
from qorgau.video.transcode import Transcoder, freeze_masks, mask_array, transcode_file
from tests.video.live_media import decode_all, make_clip, read_packets

LEFT_TOP = freeze_masks([[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]]])  # the top-left quarter


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("transcode")
    return {"h264": make_clip(tmp / "h264.mp4"), "h265": make_clip(tmp / "h265.mp4", codec="libx265")}


def _luma(frame: Any) -> np.ndarray[Any, Any]:
    return np.asarray(frame.to_ndarray(format="yuv420p")[: frame.height], dtype=np.int16)


def _source_frames(path: Path) -> list[Any]:
    container: Any = av.open(str(path))
    with container:
        return list(container.decode(video=0))


def _check_masked(frames: list[Any], source: list[Any]) -> None:
    assert len(frames) == len(source)
    mask = mask_array(frames[0].width, frames[0].height, LEFT_TOP)
    for got, want in zip(frames[::15], source[::15], strict=True):
        luma, original = _luma(got), _luma(want)
        assert luma[mask].max() <= 20  # black (limited range: 16), whatever the scene
        assert original[mask].std() > 10  # the scene there was not black to begin with
        assert np.abs(luma[~mask] - original[~mask]).mean() < 6  # ultrafast re-encode: close, not equal


def test_file_h265_to_h264_with_mask(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    stats = transcode_file(clips["h265"], out, masks=LEFT_TOP)
    container: Any = av.open(str(out))
    with container:
        assert container.streams.video[0].codec_context.name == "h264"
        frames = list(container.decode(video=0))
    assert stats.frames == 90
    _check_masked(frames, _source_frames(clips["h265"]))
    assert [f.pts for f in frames] == [f.pts for f in _source_frames(clips["h265"])]


def test_live_transcoder_keeps_key_frames_and_feeds_the_muxer(clips: dict[str, Path], tmp_path: Path) -> None:
    info, packets = read_packets(clips["h265"])
    transcoder = Transcoder(info, masks=LEFT_TOP)
    out = [q for p in packets for q in transcoder.packets(p)]
    assert len(out) == len(packets)  # zero latency: one packet out per packet in
    assert [q.keyframe for q in out] == [p.keyframe for p in packets]
    assert [q.wall for q in out] == [p.wall for p in packets]
    muxer = Fmp4Muxer(transcoder.info)
    fragments = [muxer.fragment(q) for q in out]
    assert muxer.init is not None and muxer.mime is not None and muxer.mime.startswith('video/mp4; codecs="avc1.')
    frames = decode_all(muxer.init + b"".join(f for f in fragments if f), tmp_path)
    _check_masked(frames, _source_frames(clips["h265"]))


def test_no_masks_h264_is_unchanged_ish(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "plain.mp4"
    transcode_file(clips["h264"], out, masks=())
    frames, source = _source_frames(out), _source_frames(clips["h264"])
    assert len(frames) == len(source)
    assert np.abs(_luma(frames[30]) - _luma(source[30])).mean() < 6


def test_mask_geometry() -> None:
    triangle = freeze_masks([[[0, 0], [1, 0], [0, 1]], [[0.5, 0.5]]])  # the 1-point polygon is dropped
    assert len(triangle) == 1
    mask = mask_array(10, 10, triangle)
    assert mask[0, 0] and not mask[9, 9] and mask.sum() == 45


@given(st.integers(0, 31), st.integers(0, 31), st.integers(1, 32), st.integers(1, 32))
@settings(max_examples=100, deadline=None)
def test_a_pixel_aligned_rectangle_masks_exactly_its_pixels(x: int, y: int, w: int, h: int) -> None:
    x2, y2 = min(32, x + w), min(32, y + h)
    rect = freeze_masks([[[x / 32, y / 32], [x2 / 32, y / 32], [x2 / 32, y2 / 32], [x / 32, y2 / 32]]])
    mask = mask_array(32, 32, rect)
    assert mask.sum() == (x2 - x) * (y2 - y)
    assert mask[y:y2, x:x2].all()
