"""The live muxer: init segment + per-frame fragments make a valid fragmented MP4 that decodes frame for frame."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.video.contracts import StreamInfo
from qorgau.video.fmp4 import (
    AvcConfig,
    Fmp4Muxer,
    UnsupportedCodec,
    box,
    parse_extradata,
    split_annexb,
    split_lengths,
)
from tests.video.live_media import decode_all, make_clip, read_packets


@pytest.fixture(scope="module")
def mp4_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("fmp4") / "road.mp4")


def _boxes(data: bytes) -> list[bytes]:
    kinds, i = [], 0
    while i < len(data):
        size = int.from_bytes(data[i:i + 4], "big")
        kinds.append(data[i + 4:i + 8])
        i += size
    return kinds


def test_init_and_fragments_decode_every_frame_with_pts(mp4_clip: Path, tmp_path: Path) -> None:
    info, packets = read_packets(mp4_clip)
    muxer = Fmp4Muxer(info)
    assert muxer.init is not None and _boxes(muxer.init) == [b"ftyp", b"moov"]
    assert muxer.mime is not None and muxer.mime.startswith('video/mp4; codecs="avc1.')
    fragments = [muxer.fragment(p) for p in packets]
    assert all(f is not None and _boxes(f) == [b"moof", b"mdat"] for f in fragments)
    frames = decode_all(muxer.init + b"".join(f for f in fragments if f), tmp_path)
    assert len(frames) == len(packets) == 90  # 3 s at 30 fps
    assert [f.pts for f in frames] == [i * 3000 for i in range(len(packets))]  # 90 kHz clock
    written = next(tmp_path.glob("decoded-*.mp4"))
    probe = subprocess.run(["/usr/bin/ffprobe", "-v", "error", "-count_frames", "-show_entries",
                            "stream=nb_read_frames", "-of", "csv=p=0", str(written)],
                           capture_output=True, text=True, timeout=30, check=False)
    assert probe.returncode == 0 and probe.stderr == "" and probe.stdout.strip() == "90"


def test_annexb_packets_from_mpegts_are_converted(tmp_path: Path) -> None:
    info, packets = read_packets(make_clip(tmp_path / "road.ts", container="mpegts"))
    assert packets[0].data.startswith(b"\x00\x00\x00\x01")
    muxer = Fmp4Muxer(info)
    fragments = [f for f in (muxer.fragment(p) for p in packets) if f]
    assert muxer.init is not None and muxer.mime == Fmp4Muxer(read_packets(make_clip(
        tmp_path / "road.mp4"))[0]).mime
    assert len(decode_all(muxer.init + b"".join(fragments), tmp_path)) == len(packets)


def test_starts_at_a_key_frame_and_learns_parameter_sets_in_band(mp4_clip: Path, tmp_path: Path) -> None:
    info, packets = read_packets(mp4_clip)
    config, length = parse_extradata(info.extradata)
    assert config is not None and length == 4
    # No extradata, Annex B packets: the parameter sets come with the first key frame.
    annexb = [p.__class__(data=b"".join(b"\x00\x00\x00\x01" + n for n in
                                        ([*config.sps, *config.pps] if p.keyframe else []) + _nals(p.data)),
                          pts=p.pts, dts=p.dts, duration=p.duration, keyframe=p.keyframe, wall=p.wall)
              for p in packets]
    bare = StreamInfo(codec="h264", width=info.width, height=info.height, time_base=info.time_base,
                      extradata=None, fps=25.0, template=None)
    muxer = Fmp4Muxer(bare)
    assert muxer.init is None
    late = annexb[3:]  # joined mid-GOP: nothing until the next key frame
    out = [muxer.fragment(p) for p in late]
    first = next(i for i, p in enumerate(late) if p.keyframe)
    assert all(f is None for f in out[:first]) and all(f is not None for f in out[first:])
    assert muxer.init is not None
    frames = decode_all(muxer.init + b"".join(f for f in out if f), tmp_path)
    assert len(frames) == len(late) - first and frames[0].pts == 0


def test_restart_continues_decode_time_and_refuses_hevc(mp4_clip: Path) -> None:
    info, packets = read_packets(mp4_clip)
    first = Fmp4Muxer(info)
    for p in packets[:10]:
        first.fragment(p)
    second = Fmp4Muxer(info, base=first.end)
    fragment = second.fragment(packets[0])
    assert fragment is not None and int.from_bytes(fragment[fragment.index(b"tfdt") + 8:][:8], "big") == first.end
    with pytest.raises(UnsupportedCodec):
        Fmp4Muxer(StreamInfo(codec="hevc", width=1, height=1, time_base=info.time_base, extradata=None, fps=None,
                             template=None))


def test_helpers() -> None:
    assert split_annexb(b"\x00\x00\x00\x01\x67\x01\x00\x00\x01\x68\x02") == [b"\x67\x01", b"\x68\x02"]
    assert box(b"free") == b"\x00\x00\x00\x08free"


def _nals(data: bytes) -> list[bytes]:
    out, i = [], 0
    while i < len(data):
        n = int.from_bytes(data[i:i + 4], "big")
        out.append(data[i + 4:i + 4 + n])
        i += 4 + n
    return out


# NAL units as an encoder writes them: a header byte with forbidden_zero_bit clear, and no start-code emulation in
# the payload (encoders insert 0x03 after two zeros, so 00 00 0x never occurs for x <= 3).
_nal = st.binary(min_size=1, max_size=64).map(
    lambda b: bytes([b[0] & 0x7F or 1]) + b[1:].replace(b"\x00\x00", b"\x00\x00\x03")
).filter(lambda b: not b.endswith(b"\x00"))


@given(st.lists(_nal, min_size=1, max_size=8), st.booleans())
@settings(max_examples=200, deadline=None)
def test_annexb_and_length_prefixed_round_trip(nals: list[bytes], long_codes: bool) -> None:
    code = b"\x00\x00\x00\x01" if long_codes else b"\x00\x00\x01"
    assert split_annexb(b"".join(code + n for n in nals)) == nals
    assert split_lengths(b"".join(len(n).to_bytes(4, "big") + n for n in nals), 4) == nals


@given(st.lists(_nal, min_size=1, max_size=3), st.lists(_nal, min_size=1, max_size=3))
@settings(max_examples=100, deadline=None)
def test_avcc_record_round_trips(sps_tails: list[bytes], pps_tails: list[bytes]) -> None:
    sps = tuple(b"\x67" + bytes([0x64, 0x00, 0x1F]) + t for t in sps_tails)
    pps = tuple(b"\x68" + t for t in pps_tails)
    config = AvcConfig(sps, pps)
    assert parse_extradata(config.avcc()) == (config, 4)
    assert parse_extradata(b"".join(b"\x00\x00\x00\x01" + n for n in (*sps, *pps))) == (config, None)
    assert config.codecs == "avc1.64001f"
