"""The call recorder: both directions in one Ogg Opus file (terminal left, operator right), then its SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import av
import numpy as np

from qorgau.voice.bridge.g711 import PCM, RATE

MEDIA_TYPE = "audio/ogg"


@dataclass(frozen=True)
class Recording:
    """A closed recording: where it is (relative to the recordings root) and what it holds."""

    path: str
    sha256: str
    duration_s: float
    size: int
    media_type: str = MEDIA_TYPE


class CallRecorder:
    """Writes 20 ms stereo frames as they happen; `close` finishes the file and hashes it."""

    def __init__(self, root: Path, relative: str, *, started_at: datetime, tags: dict[str, str]) -> None:
        self.root = root
        self.relative = relative
        self.path = root / relative
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._container = av.open(str(self.path), "w", format="ogg")
        self._stream = self._container.add_stream("libopus", rate=RATE, layout="stereo")
        # Ogg keeps tags per stream (Vorbis comments), written with the header: only what is known at the start.
        self._stream.metadata.update({"started_at": started_at.isoformat(), "channels": "terminal,operator", **tags})
        self._stream.bit_rate = 32000
        self._samples = 0
        self._closed = False

    def write(self, terminal: PCM, operator: PCM) -> None:
        """One frame of each direction (same length)."""
        if self._closed:
            return
        frame = av.AudioFrame.from_ndarray(np.stack((terminal, operator), axis=1).reshape(1, -1), format="s16",
                                           layout="stereo")
        frame.sample_rate = RATE
        frame.pts = self._samples
        self._samples += terminal.shape[0]
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> Recording:
        """Flush and close the file; its hash is of the bytes as stored."""
        if not self._closed:
            self._closed = True
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 16), b""):
                digest.update(block)
        return Recording(self.relative, digest.hexdigest(), round(self._samples / RATE, 3), self.path.stat().st_size)
