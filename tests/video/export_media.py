"""Recordings for the export tests: a real H.264 clip recorded by the product's Recorder into fragmented MP4 segment
files (each starts at a key frame, pts from 0, `<code>/YYYY/MM/DD/HH/<ms>.mp4`), with their index rows."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av

from qorgau.core.db import Database
from qorgau.video import segments
from qorgau.video.models import Segment
from tests.conftest import SHARED
from tests.video import rec_packets

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
    """Record ``clip`` with the product's Recorder from ``wall0`` and index its segments; returns the index rows."""
    closed = rec_packets.record(clip, volume_root, device_id=device_id, code=code, wall0=wall0, volume=volume,
                                segment_s=segment_s)
    with db.unit_of_work() as session:
        rows = [segments.insert(session=session, closed=item) for item in closed]
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
