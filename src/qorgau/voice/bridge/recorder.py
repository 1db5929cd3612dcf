"""The call recorder: both directions in one Ogg Opus file (terminal left, operator right), then its SHA-256."""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import av
import numpy as np

from qorgau.voice.bridge.g711 import PCM, RATE

MEDIA_TYPE = "audio/ogg"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recording:
    """A closed recording: where it is (relative to the recordings root) and what it holds."""

    path: str
    sha256: str
    duration_s: float
    size: int
    media_type: str = MEDIA_TYPE


class CallRecorder:
    """Takes 20 ms stereo frames as they happen; a thread of its own encodes them, off the media clock's loop.

    Opus encoding is most of a call's media work (about a millisecond per frame here); PyAV runs the encoder
    without the interpreter lock, so the thread uses the other core instead of delaying every call's clock.
    """

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
        self._frames: queue.SimpleQueue[PCM | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._run, name="voice-recorder", daemon=True)
        self._writer.start()

    def write(self, terminal: PCM, operator: PCM) -> None:
        """One frame of each direction (same length)."""
        if not self._closed:
            self._frames.put(np.stack((terminal, operator), axis=1).reshape(1, -1))
            self._samples += terminal.shape[0]

    def _run(self) -> None:
        pts = 0
        try:
            while (samples := self._frames.get()) is not None:
                frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="stereo")
                frame.sample_rate, frame.pts = RATE, pts
                pts += samples.shape[1] // 2
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
            for packet in self._stream.encode(None):
                self._container.mux(packet)
        except Exception:
            self._closed = True  # stop queueing: what was written so far stays, hashed at close
            log.exception("voice recording failed", extra={"path": self.relative})
        finally:
            self._container.close()

    def close(self) -> Recording:
        """Encode what is queued, close the file (blocking: call it from a thread); the hash is of the bytes."""
        if not self._closed:
            self._closed = True
            self._frames.put(None)
        self._writer.join()
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 16), b""):
                digest.update(block)
        return Recording(self.relative, digest.hexdigest(), round(self._samples / RATE, 3), self.path.stat().st_size)
