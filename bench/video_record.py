"""Cameras recorded per core by remux: Qorgau's Source + Recorder against the ffmpeg CLI segment muxer, same streams.

Cameras: GStreamer's RTSP server (bench/video/rtsp_cameras.py, Debian's python) serves N cameras, each a 1080p
H.264 main stream at 4 Mbps and a 640×360 sub-stream at 512 kbps (the road clip from ../shared/data/video looped
and transcoded by ffmpeg into a temp dir; 25 fps, a key frame every 2 s). Both streams of every camera are recorded.

  qorgau   one process (bench/video/record_worker.py): a `Source` reader thread per stream (RTSP over TCP) feeding a
           `Recorder` (fragmented MP4 segments of 10 s, remux only), as in a `qorgau video run` worker
  ffmpeg   one `ffmpeg -rtsp_transport tcp -i URL -c copy -f segment -segment_time 10 -reset_timestamps 1
           out%05d.mp4` process per stream (two per camera)

Each round starts one side, waits until every stream has written a file, lets it settle, then takes the CPU
seconds (user + system, /proc) of the recording processes and of the RTSP server over the same wall-clock window;
the sides alternate over rounds. Afterwards the frames in the written files are counted. CPU per camera = CPU
seconds / window / N; cameras per core = 1 / that.

Usage: .venv/bin/python bench/video_record.py [--cameras 8,16] [--rounds 3] [--window 20]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import av

sys.path.insert(0, str(Path(__file__).resolve().parent))
from video.common import (
    RESULTS,
    ROOT,
    cpu_of,
    inputs,
    load_average,
    machine,
    now_utc,
    rtsp_cameras,
    stop,
    write_result,
)

WORKER = Path(__file__).resolve().parent / "video" / "record_worker.py"
# Not the product: the worker with PyAV's read timeout dropped, to show what its interrupt callback costs.
DIAGNOSTIC = "qorgau-no-pyav-timeout"
FPS = 25


def count_frames(files: list[Path]) -> tuple[int, int]:
    """Video packets in the files and how many files could not be read to the end."""
    frames = broken = 0
    for path in files:
        try:
            with av.open(str(path)) as container:
                frames += sum(1 for packet in container.demux(video=0) if packet.size)
        except (av.FFmpegError, OSError):
            broken += 1
    return frames, broken


def wait_files(out: Path, dirs: int, pattern: str, process_check: Any, timeout_s: float = 60) -> float:
    """Wait until ``dirs`` stream directories each hold a written file; seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        process_check()
        ready = {path.parent for path in out.rglob(pattern) if path.stat().st_size > 0}
        if len(ready) >= dirs:
            return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError(f"only some streams wrote files in {timeout_s} s")


def run_qorgau(base: str, cameras: int, out: Path, window: float, settle: float,
               extra: tuple[str, ...] = ()) -> dict[str, Any]:
    argv = [sys.executable, str(WORKER), "--base", base, "--cameras", str(cameras), "--out", str(out), *extra]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)

    def alive() -> None:
        if process.poll() is not None:
            raise RuntimeError(f"record worker exited: {process.stderr.read()[-2000:] if process.stderr else ''}")

    try:
        connect_s = wait_files(out, 2 * cameras, "*.mp4*", alive)
        return {"connect_s": round(connect_s, 1), **measure([process.pid], window, settle), "_process": process}
    except BaseException:
        stop(process)
        raise


def run_ffmpeg(base: str, cameras: int, out: Path, window: float, settle: float) -> dict[str, Any]:
    processes = []
    for i in range(cameras):
        for kind in ("main", "sub"):
            folder = out / f"cam{i}-{kind}"
            folder.mkdir(parents=True)
            processes.append(subprocess.Popen(
                ["ffmpeg", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", f"{base}/cam{i}/{kind}",
                 "-c", "copy", "-f", "segment", "-segment_time", "10", "-reset_timestamps", "1",
                 str(folder / "out%05d.mp4")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))

    def alive() -> None:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"ffmpeg exited: {process.stderr.read()[-2000:] if process.stderr else b''!r}")

    try:
        connect_s = wait_files(out, 2 * cameras, "out*.mp4", alive)
        return {"connect_s": round(connect_s, 1), **measure([p.pid for p in processes], window, settle),
                "_processes": processes}
    except BaseException:
        for process in processes:
            stop(process)
        raise


SERVER_PID: list[int] = []


def measure(pids: list[int], window: float, settle: float) -> dict[str, Any]:
    time.sleep(settle)  # past the connection's probing: the steady state is what scales
    wall0, cpu0, server0 = time.monotonic(), cpu_of(pids), cpu_of(SERVER_PID)
    time.sleep(window)
    wall1, cpu1, server1 = time.monotonic(), cpu_of(pids), cpu_of(SERVER_PID)
    return {"window_s": round(wall1 - wall0, 2), "cpu_s": round(cpu1 - cpu0, 3),
            "server_cpu_s": round(server1 - server0, 3)}


def one_round(side: str, base: str, cameras: int, window: float, settle: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench-record-{side}-") as tmp:
        out = Path(tmp)
        started = time.monotonic()
        if side.startswith("qorgau"):
            extra = ("--no-read-timeout",) if side == DIAGNOSTIC else ()
            row = run_qorgau(base, cameras, out, window, settle, extra)
            process = row.pop("_process")
            process.terminate()
            stdout, _ = process.communicate(timeout=60)
            row["reported"] = json.loads(stdout.strip().splitlines()[-1])
        else:
            row = run_ffmpeg(base, cameras, out, window, settle)
            for process in row.pop("_processes"):
                stop(process, 30)  # SIGTERM: ffmpeg writes the segment's trailer and exits
        ran_s = time.monotonic() - started
        files = sorted(p for p in out.rglob("*") if p.is_file())
        frames, broken = count_frames(files)
    cpu_per_camera = row["cpu_s"] / row["window_s"] / cameras
    return {"side": side, "cameras": cameras, **row, "files": len(files), "unreadable_files": broken,
            "frames": frames, "frames_expected_max": round(ran_s * FPS * 2 * cameras),
            "cpu_per_camera": round(cpu_per_camera, 5), "cameras_per_core": round(1 / cpu_per_camera, 1),
            "server_cpu_per_camera": round(row["server_cpu_s"] / row["window_s"] / cameras, 5)}


PY_SPY = os.environ.get("PY_SPY") or shutil.which("py-spy") or ""  # e.g. from `pip install --target DIR py-spy`
IDLE_LEAVES = ("poll (", "pthread_cond_timedwait", "recv (", "PyThread_acquire_lock_timed", "select (", "epoll_wait")
BOOTSTRAP = ("thread_run", "Thread.", "0x", "Source._run", "Source._stream_once", "<module>", "main (")


def profile_worker(base: str, cameras: int, seconds: float) -> dict[str, Any]:
    """py-spy (native stacks, 200 Hz) on the record worker: the busy stacks' share per frame, idle waits left out."""
    with tempfile.TemporaryDirectory(prefix="bench-record-profile-") as tmp:
        row = run_qorgau(base, cameras, Path(tmp), 0.1, 3.0)
        process = row.pop("_process")
        raw = Path(tmp) / "profile.raw"
        try:
            subprocess.run([PY_SPY, "record", "-p", str(process.pid), "-d", str(int(seconds)), "-r", "200", "--native",
                            "--format", "raw", "-o", str(raw)], capture_output=True, check=True,
                           env={**os.environ, "PYTHONPATH": str(Path(PY_SPY).parents[1])})
        finally:
            stop(process, 60)
        inclusive: dict[str, int] = {}
        busy = every = 0
        for line in raw.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = stack.split(";")
            every += int(count)
            if any(leaf in frame for frame in frames[-6:] for leaf in IDLE_LEAVES):
                continue
            busy += int(count)
            for frame in {re.sub(r" \(.*", "", f) if "(lib" in f else f for f in frames}:
                if not frame.startswith(BOOTSTRAP):
                    inclusive[frame] = inclusive.get(frame, 0) + int(count)
    top = sorted(inclusive.items(), key=lambda item: -item[1])[:18]
    return {"cameras": cameras, "seconds": seconds, "samples": every, "busy_samples": busy,
            "top_inclusive_share_of_busy": [[frame, round(count / max(1, busy), 3)] for frame, count in top]}


def summarise(rows: list[dict[str, Any]], cameras: int) -> dict[str, Any]:
    ours = [r for r in rows if r["side"] == "qorgau" and r["cameras"] == cameras]
    theirs = [r for r in rows if r["side"] == "ffmpeg" and r["cameras"] == cameras]
    ratios = [a["cpu_per_camera"] / b["cpu_per_camera"] for a, b in zip(ours, theirs, strict=True)]
    med_ours = statistics.median(r["cpu_per_camera"] for r in ours)
    med_theirs = statistics.median(r["cpu_per_camera"] for r in theirs)
    return {"cameras": cameras, "rounds": len(ours),
            "qorgau_cpu_per_camera": round(med_ours, 5), "qorgau_cameras_per_core": round(1 / med_ours, 1),
            "ffmpeg_cpu_per_camera": round(med_theirs, 5), "ffmpeg_cameras_per_core": round(1 / med_theirs, 1),
            "ratio_median": round(statistics.median(ratios), 3), "ratio_min": round(min(ratios), 3),
            "ratio_max": round(max(ratios), 3),
            "server_cpu_per_camera": round(statistics.median(r["server_cpu_per_camera"] for r in ours + theirs), 5),
            "every_file_readable": all(r["unreadable_files"] == 0 for r in ours + theirs),
            "qorgau_frames": [r["frames"] for r in ours], "ffmpeg_frames": [r["frames"] for r in theirs],
            "target_met": 1 / med_ours >= 100 and med_ours <= med_theirs,
            **_diagnostic(rows, cameras)}


def _diagnostic(rows: list[dict[str, Any]], cameras: int) -> dict[str, Any]:
    picked = [r["cpu_per_camera"] for r in rows if r["side"] == DIAGNOSTIC and r["cameras"] == cameras]
    if not picked:
        return {}
    median = statistics.median(picked)
    return {"diagnostic_cpu_per_camera": round(median, 5), "diagnostic_cameras_per_core": round(1 / median, 1)}


def verdict(s: dict[str, Any]) -> str:
    """Both halves of the target, each met or not."""
    per_core = s["qorgau_cameras_per_core"] >= 100
    cpu = s["qorgau_cpu_per_camera"] <= s["ffmpeg_cpu_per_camera"]
    ratio = f"**not met** ({s['ratio_median']:.2f}×)"
    return f"≥ 100/core: {'met' if per_core else '**not met**'}; ≤ ffmpeg's CPU: {'met' if cpu else ratio}"


def markdown(record: dict[str, Any]) -> str:
    lines = ["# Video recording: cameras per core by remux\n", f"Machine: {record['machine']}  ",
             f"Run: {record['when']}; {record['rounds']} interleaved rounds per camera count, CPU measured over "
             f"{record['window_s']:g} s of steady recording after every stream had written a file.  ",
             f"Load average (1/5/15 min) before the run: {record['load_average_before']}; after: "
             f"{record['load_average_after']}.\n",
             f"Streams: {record['streams']}\n",
             "| cameras | Qorgau CPU/camera | Qorgau cameras/core | ffmpeg CLI CPU/camera | ffmpeg cameras/core "
             "| ratio Qorgau/ffmpeg, median (min–max) | RTSP server CPU/camera | frames Qorgau / ffmpeg | "
             "files readable | target |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for s in record["summary"]:
        lines.append(
            f"| {s['cameras']} | {s['qorgau_cpu_per_camera'] * 100:.2f} % | {s['qorgau_cameras_per_core']:,} | "
            f"{s['ffmpeg_cpu_per_camera'] * 100:.2f} % | {s['ffmpeg_cameras_per_core']:,} | "
            f"{s['ratio_median']:.2f} ({s['ratio_min']:.2f}–{s['ratio_max']:.2f}) | "
            f"{s['server_cpu_per_camera'] * 100:.2f} % | {sum(s['qorgau_frames']):,} / {sum(s['ffmpeg_frames']):,} | "
            f"{'yes' if s['every_file_readable'] else '**no**'} | {verdict(s)} |")
    lines += ["", "Per round:", "",
              "| side | cameras | connect s | window s | CPU s | CPU/camera | cameras/core | RTSP server CPU s "
              "| files | frames | frames max |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in record["rows"]:
        lines.append(f"| {r['side']} | {r['cameras']} | {r['connect_s']} | {r['window_s']} | {r['cpu_s']} | "
                     f"{r['cpu_per_camera'] * 100:.2f} % | {r['cameras_per_core']:,} | {r['server_cpu_s']} | "
                     f"{r['files']} | {r['frames']:,} | {r['frames_expected_max']:,} |")
    diagnostic = [s for s in record["summary"] if "diagnostic_cpu_per_camera" in s]
    if diagnostic:
        lines += ["", "Diagnostic, not the product (same rounds, interleaved): the same worker with PyAV's read "
                      "timeout dropped, i.e. without its interrupt callback, which takes the GIL on every FFmpeg I/O "
                      "poll: " + "; ".join(f"{s['cameras']} cameras: {s['diagnostic_cpu_per_camera'] * 100:.2f} % "
                                           f"of a core per camera, {s['diagnostic_cameras_per_core']:,} cameras/core"
                                           for s in diagnostic) + "."]
    profile = record.get("profile")
    if profile:
        lines += ["", f"Where the Qorgau worker's CPU goes ({profile['cameras']} cameras, py-spy --native at 200 Hz "
                      f"for {profile['seconds']:g} s, {profile['busy_samples']} busy of {profile['samples']} samples; "
                      "share of busy samples whose stack holds the frame):", "", "| frame | share |", "|---|---|"]
        lines += [f"| `{frame}` | {share * 100:.0f} % |" for frame, share in profile["top_inclusive_share_of_busy"]]
    lines += ["", NOTES.strip(), ""]
    return "\n".join(lines)


NOTES = """
Notes: Qorgau's side is bench/video/record_worker.py, one process running the product's `Source` (RTSP reader thread
per stream) and `Recorder` (fragmented MP4 segments) as a `qorgau video run` worker does, without the database index
(one row per 10 s segment) and the worker's other features. CPU per camera is CPU seconds (user + system, every
thread) of the recording processes only, divided by the window and the number of cameras; 100 % is one core. A
camera is both its streams (main and sub), both recorded. "frames" counts the video packets in every file written
during the whole round (connection to stop), "frames max" is 25 fps × both streams × the round's wall time (an upper
bound: it includes connection time). The RTSP server (GStreamer, one pipeline per client) runs on the same 2 cores;
its CPU is shown so the load it adds is visible. Target: at least 100 cameras per core, and no more CPU per camera
than the ffmpeg CLI.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", default="8,16")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--sides", default="qorgau,ffmpeg", help=f"add {DIAGNOSTIC} for the diagnostic worker")
    parser.add_argument("--profile", type=float, default=15.0, help="seconds of py-spy on the worker (0: none)")
    parser.add_argument("--no-write", action="store_true", help="print only; keep bench/results as they are")
    parser.add_argument("--render", action="store_true", help="only rewrite the .md from the recorded .json")
    args = parser.parse_args()
    if args.render:
        record = json.loads((RESULTS / "video_record.json").read_text())
        write_result("video_record", record, markdown(record))
        return
    main_file, sub_file = inputs()
    load_before = load_average()
    rows: list[dict[str, Any]] = []
    profile: dict[str, Any] | None = None
    counts = [int(n) for n in args.cameras.split(",")]
    for cameras in counts:
        with rtsp_cameras(cameras=cameras, main=main_file, sub=sub_file) as (port, server):
            SERVER_PID[:] = [server.pid]
            base = f"rtsp://127.0.0.1:{port}"
            for index in range(args.rounds):
                sides = args.sides.split(",")
                shift = index % len(sides)
                for side in sides[shift:] + sides[:shift]:
                    row = one_round(side, base, cameras, args.window, args.settle)
                    rows.append(row)
                    print(json.dumps(row), flush=True)
            if cameras == counts[-1] and args.profile and PY_SPY:
                profile = profile_worker(base, cameras, args.profile)
                print(json.dumps(profile), flush=True)
    record = {"benchmark": "video_record", "when": now_utc(), "machine": machine(),
              "rounds": args.rounds, "window_s": args.window, "load_average_before": load_before,
              "load_average_after": load_average(),
              "streams": "main 1920×1080 H.264 high 4 Mbps 25 fps GOP 50, sub 640×360 H.264 main 512 kbps 25 fps "
                         "GOP 50; RTSP over TCP from GStreamer's RTSP server on 127.0.0.1",
              "target": "≥ 100 cameras per core by remux, CPU per camera ≤ the ffmpeg CLI's",
              "summary": [summarise(rows, n) for n in counts], "rows": rows, "profile": profile}
    print(json.dumps(record["summary"], indent=1))
    if not args.no_write:
        write_result("video_record", record, markdown(record))


if __name__ == "__main__":
    main()
