"""Recordings for the export tests: a real H.264 clip remuxed into fragmented MP4 segment files with index rows,
the way the recorder writes them (each segment starts at a key frame, pts from 0, `<code>/YYYY/MM/DD/HH/<ms>.mp4`)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.video.enums import StreamKind
from qorgau.video.models import Segment
from tests.conftest import SHARED

T0 = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
FPS = 25
CLIP = SHARED / "data" / "video" / "road-640x360.avi"


def make_h264(target: Path, *, seconds: float = 8.0) -> Path:
    """An H.264 MP4 at 25 fps with a key frame every second and no B-frames (so cuts are easy to predict)."""
    subprocess.run(["/usr/bin/ffmpeg", "-v", "error", "-y", "-i", str(CLIP), "-t", str(seconds), "-an", "-r",
                    str(FPS), "-c:v", "libx264", "-preset", "ultrafast", "-g", str(FPS), "-keyint_min", str(FPS),
                    "-sc_threshold", "0", "-bf", "0", "-pix_fmt", "yuv420p", str(target)], check=True, timeout=60)
    return target


def record(clip: Path, volume_root: Path, db: Database, *, device_id: int, code: str, wall0: datetime = T0,
           segment_s: float = 2.0, volume: str = "local") -> list[Segment]:
    """Remux ``clip`` into segments starting at ``wall0`` and index them; returns the index rows."""
    written: list[dict[str, Any]] = []
    with av.open(str(clip)) as source:
        stream = source.streams.video[0]
        time_base = Fraction(stream.time_base or Fraction(1, 90000))
        out: Any = None
        first = 0
        for packet in source.demux(stream):
            if packet.dts is None or packet.pts is None:
                continue
            if packet.is_keyframe and (out is None or (packet.pts - first) * time_base >= segment_s):
                if out is not None:
                    out[0].close()
                    written.append(out[2])
                first = packet.pts
                start = wall0 + timedelta(seconds=float(first * time_base))
                rel = Path(code) / start.strftime("%Y/%m/%d/%H") / f"{int(start.timestamp() * 1000)}.mp4"
                (volume_root / rel).parent.mkdir(parents=True, exist_ok=True)
                container = av.open(str(volume_root / rel), "w", format="mp4",
                                    options={"movflags": "frag_keyframe+empty_moov+default_base_moof"})
                out = (container, container.add_stream_from_template(stream),
                       {"path": str(rel), "start_at": start, "frames": 0, "bytes": 0})
            end = wall0 + timedelta(seconds=float((packet.pts + (packet.duration or 0)) * time_base))
            packet.pts, packet.dts = packet.pts - first, packet.dts - first
            packet.stream = out[1]
            out[0].mux(packet)
            out[2]["frames"] += 1
            out[2]["end_at"] = end
        out[0].close()
        written.append(out[2])
        width, height = stream.codec_context.width, stream.codec_context.height
    rows = []
    with db.unit_of_work() as session:
        for item in written:
            row = Segment(device_id=device_id, stream=StreamKind.MAIN.value, volume=volume, path=item["path"],
                          start_at=item["start_at"], end_at=item["end_at"],
                          bytes=(volume_root / item["path"]).stat().st_size, frames=item["frames"], codec="h264",
                          width=width, height=height, created_at=utcnow())
            session.add(row)
            rows.append(row)
        session.flush()
        session.expunge_all()
    return rows


def decode(path: Path) -> tuple[int, float, Any]:
    """Frames, duration in seconds (last pts + one frame) and the first frame as an RGB array."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        count, first, last_pts = 0, None, 0.0
        for frame in container.decode(stream):
            count += 1
            if first is None:
                first = frame.to_ndarray(format="rgb24")
                start = float(frame.time or 0.0)
            last_pts = float(frame.time or 0.0)
        return count, last_pts - start + 1 / FPS, first
