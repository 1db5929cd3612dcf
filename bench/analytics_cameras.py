"""Cameras analysed per core: the analytics pipeline (decode at 5 fps → motion → detector on motion → tracker) on
640×360 H.264 sub-streams with 10 % and 30 % of frames in motion, and its decode rate against the ffmpeg CLI.

Input, made in the set-up from the real road clip (../shared/data/video/road-640x360.avi): a 40 s camera stream at
25 fps, 640×360, H.264 (libx264 veryfast, a key frame every 2 s, no B-frames). In every 10 s, the given share of
the frames is the road with its traffic (the clip from its first vehicle, continuing where the last stretch
stopped) and the rest is the empty road (the clip's median frame with a little sensor noise, so the still part
costs what a real one does).

Every measurement runs on one core (``os.sched_setaffinity``; the ffmpeg child inherits it). Cases, interleaved:

  ffmpeg          ``ffmpeg -threads 1 -i clip -f null -``: the baseline decode rate (frames per CPU second)
  decode          the ``DecodeSink`` on the same file: every frame decoded, 5 fps scaled to BGR 640 wide
  motion_10       the sink plus motion and tracking, no detector: what decode and the motion gate cost
  pipeline_10/30  the sink plus the ``Analysis`` of every kept frame (motion, the detector where it moved, the
                  tracker): CPU seconds per second of stream → cameras per core = stream s / CPU s
  realtime_10     N cameras (default 30) at their real rate for a window: a reader thread per camera feeding its
                  sink at 25 fps, the worker's one analysis thread; frames dropped, CPU used of the core

The detector is the configured one (``qorgau video model setup``); ``--no-detector`` measures decode and motion
only (as the numbers of a build without a model).

Usage: .venv/bin/python bench/analytics_cameras.py [--rounds 3] [--cameras 30] [--window 20] [--no-detector]
                                                    [--no-write]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

from qorgau.video.analytics.contracts import Detector
from qorgau.video.analytics.decode import DecodeSink, FrameSlots
from qorgau.video.analytics.feature import load_detector
from qorgau.video.analytics.pipeline import Analysis
from qorgau.video.config import VideoSettings
from qorgau.video.contracts import EncodedPacket, StreamInfo

CLIP = harness.ROOT.parent / "shared" / "data" / "video" / "road-640x360.avi"
FPS, SECONDS, PERIOD_S, GOP = 25, 40, 10, 50
ANALYSIS_FPS = 5.0
QUIET_START = 60  # frames
T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def compose(target: Path, share: float) -> Path:
    """The test stream for a motion share (module docstring)."""
    with av.open(str(CLIP)) as container:
        road: list[Any] = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
    empty = np.median(np.stack(road[::10]), axis=0).astype(np.uint8)
    rng = np.random.default_rng(7)
    ffmpeg = subprocess.Popen(
        ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", "640x360", "-r", str(FPS),
         "-i", "-", "-c:v", "libx264", "-preset", "veryfast", "-g", str(GOP), "-bf", "0", "-pix_fmt", "yuv420p",
         "-an", str(target)], stdin=subprocess.PIPE)
    assert ffmpeg.stdin is not None
    moving = round(PERIOD_S * FPS * share)
    traffic = road[QUIET_START:]  # the clip's first two seconds have no vehicle
    cursor = 0
    for i in range(SECONDS * FPS):
        if i % (PERIOD_S * FPS) < moving:
            frame = traffic[cursor % len(traffic)]
            cursor += 1
        else:
            noise = rng.normal(0, 1.5, empty.shape)
            frame = np.clip(empty + noise, 0, 255).astype(np.uint8)
        ffmpeg.stdin.write(frame.tobytes())
    ffmpeg.stdin.close()
    if ffmpeg.wait(timeout=300) != 0:
        raise RuntimeError("ffmpeg could not encode the test stream")
    return target


def packets(path: Path) -> tuple[StreamInfo, list[EncodedPacket]]:
    container: Any = av.open(str(path))
    stream = container.streams.video[0]
    tb = stream.time_base
    info = StreamInfo(codec=stream.codec_context.name, width=stream.codec_context.width,
                      height=stream.codec_context.height, time_base=tb, extradata=stream.codec_context.extradata,
                      fps=float(stream.average_rate or FPS), template=None)
    found = [EncodedPacket(data=bytes(p), pts=p.pts, dts=p.dts, duration=p.duration or 0, keyframe=p.is_keyframe,
                           wall=T0 + timedelta(seconds=float(p.pts * tb))) for p in container.demux(stream) if p.size]
    container.close()
    return info, found


def ffmpeg_decode(path: Path) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["ffmpeg", "-v", "error", "-threads", "1", "-i", str(path), "-f", "null", "-"], check=True,
                   timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"frames": SECONDS * FPS, "cpu_s": round(cpu, 4), "decode_fps": round(SECONDS * FPS / cpu, 1)}


class CpuTimed:
    """A detector whose CPU time is counted (wall time on a loaded machine says more about the others)."""

    def __init__(self, inner: Detector) -> None:
        self.inner = inner
        self.name = inner.name
        self.cpu_s = 0.0

    def detect(self, frame_bgr: Any, regions: Any = None, camera: str | None = None) -> Any:
        started = time.thread_time()
        try:
            return self.inner.detect(frame_bgr, regions, camera)
        finally:
            self.cpu_s += time.thread_time() - started


def offline(stream: tuple[StreamInfo, list[EncodedPacket]], detector: Detector | None, *, analyse: bool
            ) -> dict[str, Any]:
    """The sink (and the analysis) over the whole stream in this thread: CPU per second of stream."""
    info, found = stream
    slots = FrameSlots(10_000)
    timed = CpuTimed(detector) if detector is not None else None
    analysis = Analysis(slots, detector=timed, consumers=[])
    sink = DecodeSink(1, "CAM-0001", fps=ANALYSIS_FPS, width=640, slots=slots)
    started = time.process_time()
    sink.start(info)
    for packet in found:
        sink.packet(packet)
        if analyse:
            while (frame := slots.take(0)) is not None:
                analysis.process(frame)
    cpu = time.process_time() - started
    figures = {"stream_s": SECONDS, "cpu_s": round(cpu, 4), "decoded": sink.decoded, "kept": sink.kept,
               "decode_fps": round(sink.decoded / cpu, 1)}
    if analyse:
        figures |= {"cameras_per_core": round(SECONDS / cpu, 1), "detector_runs": analysis.figures.detector_runs,
                    "detect_ms_per_run": round(1000 * analysis.figures.detect_s
                                               / max(1, analysis.figures.detector_runs), 1),
                    "detect_cpu_ms_per_run": round(1000 * (timed.cpu_s if timed else 0.0)
                                                   / max(1, analysis.figures.detector_runs), 1)}
    return figures


def realtime(stream: tuple[StreamInfo, list[EncodedPacket]], detector: Detector | None, cameras: int,
             window: float) -> dict[str, Any]:
    """``cameras`` streams at their real rate into one analysis thread, as in a worker process, for ``window``."""
    info, found = stream
    slots = FrameSlots(VideoSettings().video_analytics_queue)
    analysis = Analysis(slots, detector=detector, consumers=[])
    sinks = [DecodeSink(i, f"CAM-{i:04d}", fps=ANALYSIS_FPS, width=640, slots=slots) for i in range(cameras)]
    stop = threading.Event()
    late = [0.0] * cameras

    step = found[1].pts - found[0].pts
    length = len(found)

    def reader(index: int) -> None:
        sink = sinks[index]
        sink.start(info)
        start = time.monotonic() + index / cameras / FPS  # cameras out of phase, as real ones are
        offset = (index * 7 % (length // GOP)) * GOP  # each camera at another key frame of the clip
        n = 0
        while not stop.is_set():
            due = start + n / FPS
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                late[index] = max(late[index], -delay)
            packet = found[(offset + n) % length]  # looped, its times going on
            sink.packet(replace(packet, pts=n * step, dts=n * step, wall=T0 + timedelta(seconds=n / FPS)))
            n += 1

    threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(cameras)]
    analysis.start()
    wall0, cpu0 = time.monotonic(), time.process_time()
    for thread in threads:
        thread.start()
    time.sleep(window)
    stop.set()
    for thread in threads:
        thread.join(5)
    wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
    analysis.stop()
    expected = cameras * ANALYSIS_FPS * wall
    return {"cameras": cameras, "window_s": round(wall, 2), "core_used": round(cpu / wall, 3),
            "kept": sum(s.kept for s in sinks), "analysed": analysis.figures.frames,
            "expected_frames": round(expected), "dropped": sum(slots.dropped.values()),
            "detector_runs": analysis.figures.detector_runs, "reader_late_max_ms": round(1000 * max(late), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cameras", type=int, default=30)
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--no-detector", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, children included
    cv2.setNumThreads(1)
    detector = None if args.no_detector else load_detector(VideoSettings())
    run = harness.Run("analytics_cameras")
    with tempfile.TemporaryDirectory(prefix="bench-analytics-") as tmp:
        clips = {share: compose(Path(tmp) / f"motion{share}.mp4", share / 100) for share in (10, 30)}
        streams = {share: packets(path) for share, path in clips.items()}
        cases = {
            "ffmpeg": lambda r: ffmpeg_decode(clips[10]),
            "decode": lambda r: offline(streams[10], None, analyse=False),
            "motion_10": lambda r: offline(streams[10], None, analyse=True),
            "pipeline_10": lambda r: offline(streams[10], detector, analyse=True),
            "pipeline_30": lambda r: offline(streams[30], detector, analyse=True),
            "realtime_10": lambda r: realtime(streams[10], detector, args.cameras, args.window),
        }
        rounds = harness.interleave(cases, rounds=args.rounds)
    live = rounds.pop("realtime_10")
    summary = harness.summarise(rounds, baseline="ffmpeg", metric="decode_fps")
    summary["realtime_10"] = {"rounds": live, "median": harness.median_figures(live)}
    med = {name: case["median"] for name, case in summary.items()}
    decode_ratio = summary["decode"]["ratio"]
    rt = med["realtime_10"]
    detector_text = "no detector" if detector is None else f"detector {detector.name}"
    rows = [
        harness.readme_row(
            f"`bench/analytics_cameras.py`: cameras per core, 640×360 at 5 fps, 10 % / 30 % motion ({detector_text})",
            result=f"{harness.count(med['pipeline_10']['cameras_per_core'])} / "
                   f"{harness.count(med['pipeline_30']['cameras_per_core'])} cameras per core (decode and motion "
                   f"alone: {harness.count(med['motion_10']['cameras_per_core'])}; the detector "
                   f"{harness.ms(med['pipeline_10']['detect_cpu_ms_per_run'])} of CPU a run, on "
                   f"{harness.count(med['pipeline_10']['detector_runs'])} of "
                   f"{harness.count(med['pipeline_10']['kept'])} frames); "
                   f"{harness.count(rt['cameras'])} cameras in real time: {harness.count(rt['dropped'])} frames "
                   f"dropped, using {rt['core_used']:.0%} of the core",
            baseline="—", target="≥ 30 cameras per core at 10 % without dropping frames",
            met=med["pipeline_10"]["cameras_per_core"] >= 30 and rt["dropped"] == 0),
        harness.readme_row(
            "`bench/analytics_cameras.py`: H.264 640×360 decode rate on one core, the analytics sink vs ffmpeg",
            result=f"{harness.count(med['decode']['decode_fps'])} frames/s", baseline=(
                f"ffmpeg -threads 1: {harness.count(med['ffmpeg']['decode_fps'])} frames/s; "
                f"ratio {harness.times(decode_ratio)}"),
            target="≥ 0.8× ffmpeg", met=decode_ratio["median"] >= 0.8),
    ]
    result = run.finish(cases=summary, readme=rows)
    for row in rows:
        print(f"{row['benchmark']}: {row['result']} | {row['baseline']} | {harness.verdict(row['met'])}")
    if not args.no_write:
        harness.write_result("analytics_cameras", result, notes=f"Input: {SECONDS} s per stream composed from "
                             f"{CLIP.name}; {args.cameras} cameras for {args.window:.0f} s in the real-time case.")


if __name__ == "__main__":
    main()
