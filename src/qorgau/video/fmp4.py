"""Live fragmented MP4 for Media Source Extensions: H.264 packets → one init segment + one fragment per frame.

A small own muxer rather than FFmpeg's: FFmpeg's mov muxer emits a frame's fragment only when the next frame
arrives (it needs the duration) and buffers its I/O, which adds a frame interval and more to every viewer's delay;
here each packet becomes its ``moof`` + ``mdat`` at once, with the duration the packet carries.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from qorgau.video.contracts import EncodedPacket, StreamInfo

TIMESCALE = 90_000  # the track's clock: MPEG's usual, exact for 25, 30 and 60 fps
NAL_SPS, NAL_PPS, NAL_AUD = 7, 8, 9
_KEY_FLAGS = 0x02000000  # sample_depends_on = 2 (an I frame)
_DELTA_FLAGS = 0x01010000  # sample_depends_on = 1, sample_is_non_sync_sample
_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


class UnsupportedCodec(ValueError):
    """The live muxer passes H.264 through only; other codecs are transcoded first."""


def box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I", 8 + len(body)) + kind + body


def full_box(kind: bytes, version: int, flags: int, *payload: bytes) -> bytes:
    return box(kind, struct.pack(">I", (version << 24) | flags), *payload)


def split_annexb(data: bytes) -> list[bytes]:
    """NAL units of an Annex B byte stream (start codes 00 00 01 or 00 00 00 01)."""
    nals: list[bytes] = []
    start = -1
    i, n = 0, len(data)
    while i + 2 < n:
        if data[i] == 0 and data[i + 1] == 0 and data[i + 2] == 1:
            if start >= 0:
                nals.append(data[start:i].rstrip(b"\x00"))
            i += 3
            start = i
            continue
        i += 1
    if start >= 0:
        nals.append(data[start:])
    return [nal for nal in nals if nal]


def split_lengths(data: bytes, size: int) -> list[bytes]:
    """NAL units of a length-prefixed (AVCC) sample."""
    nals: list[bytes] = []
    i = 0
    while i + size <= len(data):
        length = int.from_bytes(data[i:i + size], "big")
        i += size
        nals.append(data[i:i + length])
        i += length
    return [nal for nal in nals if nal]


def is_annexb(data: bytes) -> bool:
    return data.startswith(b"\x00\x00\x01") or data.startswith(b"\x00\x00\x00\x01")


@dataclass(frozen=True, slots=True)
class AvcConfig:
    """The parameter sets of an H.264 stream."""

    sps: tuple[bytes, ...]
    pps: tuple[bytes, ...]

    @property
    def codecs(self) -> str:
        """The RFC 6381 codecs parameter, ``avc1.PPCCLL`` from the first SPS."""
        sps = self.sps[0]
        return f"avc1.{sps[1]:02x}{sps[2]:02x}{sps[3]:02x}"

    @property
    def mime(self) -> str:
        return f'video/mp4; codecs="{self.codecs}"'

    def avcc(self) -> bytes:
        """The AVCDecoderConfigurationRecord, with 4-byte NAL lengths."""
        sps = self.sps[0]
        out = bytearray([1, sps[1], sps[2], sps[3], 0xFC | 3, 0xE0 | len(self.sps)])
        for nal in self.sps:
            out += struct.pack(">H", len(nal)) + nal
        out.append(len(self.pps))
        for nal in self.pps:
            out += struct.pack(">H", len(nal)) + nal
        return bytes(out)


def parse_extradata(extradata: bytes | None) -> tuple[AvcConfig | None, int | None]:
    """The parameter sets in a stream's extradata and its NAL length size (None: Annex B packets)."""
    if not extradata:
        return None, None
    if extradata[0] == 1 and len(extradata) > 7:  # avcC
        length_size = (extradata[4] & 3) + 1
        sps: list[bytes] = []
        pps: list[bytes] = []
        i = 6
        for _ in range(extradata[5] & 0x1F):
            n = int.from_bytes(extradata[i:i + 2], "big")
            sps.append(extradata[i + 2:i + 2 + n])
            i += 2 + n
        count = extradata[i]
        i += 1
        for _ in range(count):
            n = int.from_bytes(extradata[i:i + 2], "big")
            pps.append(extradata[i + 2:i + 2 + n])
            i += 2 + n
        return (AvcConfig(tuple(sps), tuple(pps)) if sps and pps else None), length_size
    return config_from_nals(split_annexb(extradata)), None


def config_from_nals(nals: Iterable[bytes]) -> AvcConfig | None:
    sps = tuple(n for n in nals if n[0] & 0x1F == NAL_SPS and len(n) >= 4)
    pps = tuple(n for n in nals if n[0] & 0x1F == NAL_PPS) if sps else ()
    if not pps:
        pps = tuple(n for n in nals if n[0] & 0x1F == NAL_PPS)
    return AvcConfig(sps, pps) if sps and pps else None


class Fmp4Muxer:
    """One stream's live fMP4: ``init`` once the parameter sets are known, then ``fragment(packet)`` per frame.

    Decode times start at ``base`` (in ``TIMESCALE``) so a restarted stream can continue where the last one ended.
    """

    def __init__(self, info: StreamInfo, *, base: int = 0) -> None:
        if info.codec != "h264":
            raise UnsupportedCodec(info.codec)
        self.info = info
        self.config, self._length_size = parse_extradata(info.extradata)
        self.init: bytes | None = self._init_segment() if self.config else None
        self._sequence = 0
        self._first_dts: int | None = None
        self._base = base
        self.end = base  # decode time just after the last fragment
        tb = info.time_base
        self._scale = Fraction(tb.numerator * TIMESCALE, tb.denominator)
        self._default_duration = round(TIMESCALE / info.fps) if info.fps else TIMESCALE // 25

    @property
    def mime(self) -> str | None:
        return self.config.mime if self.config else None

    def _ticks(self, value: int) -> int:
        return round(value * self._scale)

    def fragment(self, packet: EncodedPacket) -> bytes | None:
        """The packet's ``moof`` + ``mdat``; None while no key frame with parameter sets has been seen."""
        nals = split_lengths(packet.data, self._length_size) if self._length_size else split_annexb(packet.data)
        if not nals:
            return None
        if packet.keyframe:
            found = config_from_nals(nals)
            if found is not None and found != self.config:
                self.config = found
                self.init = self._init_segment()
        if self.init is None or (self._first_dts is None and not packet.keyframe):
            return None  # a decoder cannot start here
        if self._first_dts is None:
            self._first_dts = packet.dts
        dts = self._base + self._ticks(packet.dts - self._first_dts)
        dts = max(dts, self.end)  # never backwards, whatever the source says
        duration = self._ticks(packet.duration) or self._default_duration
        cto = self._ticks(packet.pts - packet.dts)
        sample = b"".join(struct.pack(">I", len(n)) + n for n in nals if n[0] & 0x1F != NAL_AUD)
        self._sequence += 1
        self.end = dts + duration
        return self._moof(dts, duration, len(sample), packet.keyframe, cto) + box(b"mdat", sample)

    def _moof(self, dts: int, duration: int, size: int, key: bool, cto: int) -> bytes:
        def build(offset: int) -> bytes:
            trun = full_box(b"trun", 1, 0x000F01, struct.pack(">Ii", 1, offset),
                            struct.pack(">IIIi", duration, size, _KEY_FLAGS if key else _DELTA_FLAGS, cto))
            traf = box(b"traf", full_box(b"tfhd", 0, 0x020000, struct.pack(">I", 1)),
                       full_box(b"tfdt", 1, 0, struct.pack(">Q", dts)), trun)
            return box(b"moof", full_box(b"mfhd", 0, 0, struct.pack(">I", self._sequence)), traf)

        probe = build(0)
        return build(len(probe) + 8)  # data_offset: from the moof's start to the first byte of mdat's payload

    def _init_segment(self) -> bytes:
        if self.config is None:
            raise ValueError("no parameter sets yet")
        width, height = self.info.width, self.info.height
        ftyp = box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isom", b"iso6", b"avc1", b"mp41")
        mvhd = full_box(b"mvhd", 0, 0, struct.pack(">IIII", 0, 0, 1000, 0), struct.pack(">IH", 0x10000, 0x100),
                        bytes(10), _MATRIX, bytes(24), struct.pack(">I", 2))
        tkhd = full_box(b"tkhd", 0, 3, struct.pack(">IIIII", 0, 0, 1, 0, 0), bytes(8),
                        struct.pack(">hhhH", 0, 0, 0, 0), _MATRIX, struct.pack(">II", width << 16, height << 16))
        mdhd = full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, TIMESCALE, 0, 0x55C4, 0))
        hdlr = full_box(b"hdlr", 0, 0, bytes(4), b"vide", bytes(12), b"VideoHandler\x00")
        avc1 = box(b"avc1", bytes(6), struct.pack(">H", 1), bytes(16), struct.pack(">HH", width, height),
                   struct.pack(">II", 0x480000, 0x480000), bytes(4), struct.pack(">H", 1), bytes(32),
                   struct.pack(">Hh", 0x18, -1), box(b"avcC", self.config.avcc()))
        stbl = box(b"stbl", full_box(b"stsd", 0, 0, struct.pack(">I", 1), avc1),
                   full_box(b"stts", 0, 0, bytes(4)), full_box(b"stsc", 0, 0, bytes(4)),
                   full_box(b"stsz", 0, 0, bytes(8)), full_box(b"stco", 0, 0, bytes(4)))
        dinf = box(b"dinf", full_box(b"dref", 0, 0, struct.pack(">I", 1), full_box(b"url ", 0, 1)))
        minf = box(b"minf", full_box(b"vmhd", 0, 1, bytes(8)), dinf, stbl)
        trak = box(b"trak", tkhd, box(b"mdia", mdhd, hdlr, minf))
        mvex = box(b"mvex", full_box(b"trex", 0, 0, struct.pack(">IIIII", 1, 1, 0, 0, 0)))
        return ftyp + box(b"moov", mvhd, trak, mvex)
