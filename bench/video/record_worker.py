"""The recording side of a video worker, alone in a process: one `Source` per stream, each feeding a `Recorder`.

This is the code path `qorgau video run` uses to record (src/qorgau/video/source.py and recorder.py), without the
database index (one row per 10 s segment) and the other features, so the process's CPU is the recording's.

Usage: .venv/bin/python bench/video/record_worker.py --base rtsp://127.0.0.1:PORT --cameras N --out DIR
Prints "ready" once every stream is started; on SIGTERM stops the sources (closing the open segments) and prints
one JSON line: segments closed and frames written per stream kind.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from qorgau.video.config import VideoSettings
from qorgau.video.contracts import CameraConfig
from qorgau.video.enums import StreamKind
from qorgau.video.recorder import ClosedSegment, Recorder
from qorgau.video.source import Source


def _drop_pyav_timeout() -> None:
    """Open every stream without PyAV's ``timeout`` (FFmpeg's own socket timeout option stays): a diagnostic of
    what PyAV's interrupt callback costs, never how the product runs."""
    import av

    plain_open = av.open

    def open_without_timeout(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop("timeout", None)
        return plain_open(*args, **kwargs)

    av.open = open_without_timeout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--cameras", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--segment-s", type=float, default=10.0)
    parser.add_argument("--no-sub", action="store_true")
    parser.add_argument("--no-read-timeout", action="store_true",
                        help="diagnostic: open streams without PyAV's timeout (its interrupt callback takes the GIL)")
    args = parser.parse_args()
    if args.no_read_timeout:
        _drop_pyav_timeout()
    settings = VideoSettings()
    closed: list[ClosedSegment] = []
    lock = threading.Lock()

    def on_segment(segment: ClosedSegment) -> None:
        with lock:
            closed.append(segment)

    def volume() -> tuple[str, Path]:
        return "bench", args.out

    sources: list[Source] = []
    kinds = [StreamKind.MAIN] if args.no_sub else [StreamKind.MAIN, StreamKind.SUB]
    for i in range(args.cameras):
        camera = CameraConfig(device_id=i + 1, code=f"CAM{i}", main_url=f"{args.base}/cam{i}/main",
                              sub_url=f"{args.base}/cam{i}/sub")
        for kind in kinds:
            # The sub-stream's files go under their own code: both streams' segments start at the same ms.
            code = camera.code if kind is StreamKind.MAIN else f"{camera.code}-sub"
            recorder = Recorder(device_id=camera.device_id, code=code, segment_s=args.segment_s,
                                pick_volume=volume, on_segment=on_segment, stream=kind)
            source = Source(camera, kind, settings)
            source.add_sink(recorder)
            sources.append(source)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    for source in sources:
        source.start()
    print("ready", flush=True)
    stop.wait()
    # Every reader at once: stopping them one by one would wait up to a read timeout each.
    with ThreadPoolExecutor(len(sources) or 1) as pool:
        list(pool.map(lambda source: source.stop(), sources))
    summary: dict[str, dict[str, int]] = {}
    for segment in closed:
        row = summary.setdefault(str(segment.stream), {"segments": 0, "frames": 0, "bytes": 0})
        row["segments"] += 1
        row["frames"] += segment.frames
        row["bytes"] += segment.bytes
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
