"""Live view delay camera → screen: 20 browser viewers across 16 cameras, against decoding the cameras directly.

Cameras: 16 bench RTSP cameras (bench/video/rtsp_cameras.py: GStreamer appsrc → x264enc tune=zerolatency
speed-preset=ultrafast key-int-max=25 sliced-threads=false, 640×360 at 25 fps) whose frames carry the wall-clock
time (ms) taken just before each frame enters the encoder, as black/white blocks.

  qorgau   the real chain: `qorgau video run` (a worker pulls each camera once: Source → LiveSink → fMP4 → relay)
           → `qorgau serve` (WebSocket /api/video/cameras/{code}/live, session cookie) → headless Chromium: one page,
           20 <video> elements each driven by the web app's own LiveStream (web/src/video/liveStream.ts, bundled
           by vite into a bench page served on the server's origin); requestVideoFrameCallback → canvas → blocks;
           delay = the frame's expected display time − its stamp (same machine clock)
  direct   the same 16 cameras read by PyAV (RTSP over TCP, nobuffer/low_delay) and decoded in this process:
           delay = decode done − stamp; the camera's and the encoder's own share, without Qorgau or a browser

Rounds alternate qorgau / direct; each waits until every viewer (or reader) has shown frames, then samples for
--window seconds.

Usage: .venv/bin/python bench/video_live.py [--viewers 20] [--cameras 16] [--rounds 2] [--window 20]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.server import QORGAU, cli_env, run_cli, running_server
from video.common import (
    ROOT,
    cpu_of,
    free_port,
    load_average,
    machine,
    now_utc,
    quantiles,
    rtsp_cameras,
    stop,
    write_result,
)
from video.live_page import bundle, load

PASSWORD = "bench-password-1"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


def read_stamp(frame: av.VideoFrame) -> int | None:
    """The clock pattern's stamp, or None when the inverse rows disagree."""
    plane = frame.planes[0]
    data, stride = bytes(plane), plane.line_size
    stamp = 0
    for bit in range(32):
        row, col = divmod(bit, 16)
        on = data[(row * 40 + 20) * stride + col * 40 + 20] > 128
        inverse = data[((row + 2) * 40 + 20) * stride + col * 40 + 20] > 128
        if on == inverse:
            return None
        stamp |= int(on) << bit
    return stamp


def delay_ms(stamp: int, at_ms: float) -> float:
    return (round(at_ms) - stamp) % 2**32


def direct_round(base: str, cameras: int, window: float) -> dict[str, Any]:
    """Decode every camera directly (PyAV), read the stamps of the frames decoded in the window."""
    samples: list[list[float]] = [[] for _ in range(cameras)]
    first = [threading.Event() for _ in range(cameras)]
    done = threading.Event()
    measuring = threading.Event()
    rejected = [0]
    reopened = [0]

    def reader(index: int) -> None:
        while not done.is_set():
            try:
                read(index)
            except av.FFmpegError:
                reopened[0] += 1  # a busy machine can time an open out: open again, it is counted
                time.sleep(0.5)

    def read(index: int) -> None:
        with av.open(f"{base}/clock{index}", options={"rtsp_transport": "tcp", "fflags": "nobuffer",
                                                      "flags": "low_delay"}, timeout=(20, 20)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "SLICE"  # frame threads hold frames back: the delay would be the decoder's
            for frame in container.decode(stream):
                at = time.time() * 1000
                first[index].set()
                if done.is_set():
                    return
                if not measuring.is_set():
                    continue
                stamp = read_stamp(frame)
                if stamp is None:
                    rejected[0] += 1
                else:
                    samples[index].append(delay_ms(stamp, at))

    threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(cameras)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    for event in first:
        if not event.wait(max(1.0, 60 - (time.monotonic() - started))):
            done.set()
            raise RuntimeError("a camera gave no frame to the direct reader in 60 s")
    connect_s = time.monotonic() - started
    cpu0 = cpu_of([os.getpid()])
    measuring.set()
    time.sleep(window)
    done.set()
    cpu1 = cpu_of([os.getpid()])
    for thread in threads:
        thread.join(15)
    every = [value for per in samples for value in per]
    return {"side": "direct", "readers": cameras, "connect_s": round(connect_s, 1), "window_s": window,
            "rejected_reads": rejected[0], "reopened": reopened[0],
            "readers_with_samples": sum(1 for per in samples if per),
            "reader_cpu_s": round(cpu1 - cpu0, 2), **quantiles(every), "_samples": every}


def cameras_csv(port: int, cameras: int) -> str:
    lines = ["code,kind,purpose,name_kk,name_ru,lon,lat,stream_main,lifecycle"]
    for i in range(cameras):
        lines.append(f"BENCH-CAM-{i:02d},camera,public_space,Камера {i},Камера {i},{53.0 + i * 1e-4:.6f},51.170000,"
                     f"rtsp://127.0.0.1:{port}/clock{i},commissioned")
    return "\n".join(lines) + "\n"


@contextmanager
def qorgau(port: int, cameras: int, tmp: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A migrated SQLite Qorgau with the bench cameras, its server and its video worker; yields the base URL."""
    env = cli_env(tmp / "var", f"sqlite:///{tmp}/qorgau.db", QORGAU_LOG_LEVEL="WARNING",
                  QORGAU_VIDEO_RECORDING_MODE="off", QORGAU_VIDEO_WORKERS="1",
                  QORGAU_VIDEO_LIVE_PORT=str(free_port()), QORGAU_VIDEO_IDLE_STOP_S="2")
    for step in (("migrate",),):
        done = run_cli(env, *step)
        assert done.returncode == 0, done.stderr
    done = run_cli(env, "user", "add", "bench", "--role", "operator", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    csv = tmp / "cameras.csv"
    csv.write_text(cameras_csv(port, cameras))
    done = run_cli(env, "devices", "import", str(csv))
    assert done.returncode == 0, done.stderr + done.stdout
    with open(tmp / "video.log", "wb") as log:
        worker = subprocess.Popen([QORGAU, "video", "run"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        with running_server(env, tmp / "server.log") as base:
            yield base, worker
    except BaseException:
        for name in ("server.log", "video.log"):
            print(f"--- {name}:", (tmp / name).read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        stop(worker, 30)


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (the video supervisor's workers)."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True, check=True).stdout
    children: dict[int, list[int]] = {}
    for line in out.splitlines():
        child, parent = (int(x) for x in line.split())
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def browser_round(browser: Any, base: str, script: str, viewers: int, cameras: int, window: float, every: int,
                  worker: subprocess.Popen[bytes]) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=base, bypass_csp=True)
    try:
        login = context.request.post("/api/auth/login", data={"username": "bench", "password": PASSWORD})
        assert login.ok, login.text()
        tab = context.new_page()
        load(tab, base, script)
        started = time.monotonic()
        for i in range(viewers):
            tab.evaluate(f"startViewer({i}, 'BENCH-CAM-{i % cameras:02d}', {every})")
        # Wait for every viewer's first read frame, not a fixed time.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            seen = tab.evaluate("new Set(window.samples.map(s => s[0])).size")
            if seen >= viewers:
                break
            time.sleep(0.5)
        else:
            status = tab.evaluate("JSON.stringify([window.liveStatus, window.rejected, window.samples.length])")
            raise RuntimeError(f"only {seen} of {viewers} viewers showed a readable frame in 90 s: {status}")
        connect_s = time.monotonic() - started
        tab.wait_for_timeout(2000)  # past each viewer's first jump to the live edge
        mark = tab.evaluate("Date.now()")
        pids = process_tree(worker.pid)
        cpu0 = cpu_of(pids)
        tab.wait_for_timeout(window * 1000)
        cpu1 = cpu_of(pids)
        rows = tab.evaluate(f"window.samples.filter(s => s[2] >= {mark})")
        frames = tab.evaluate("Array.from(document.querySelectorAll('video'))"
                              ".map(v => v.getVideoPlaybackQuality().totalVideoFrames)")
        rejected = tab.evaluate("window.rejected")
    finally:
        context.close()
    per_viewer: dict[int, list[float]] = {}
    ahead: list[float] = []
    for index, delay, _, buffered_ahead in rows:
        per_viewer.setdefault(int(index), []).append(float(delay))
        ahead.append(float(buffered_ahead))
    every_sample = [d for per in per_viewer.values() for d in per]
    return {"side": "qorgau", "viewers": viewers, "cameras": cameras, "connect_s": round(connect_s, 1),
            "window_s": window, "read_every_nth_frame": every, "rejected_reads": rejected,
            "viewers_with_samples": len(per_viewer), "min_frames_decoded": min(frames),
            "worst_viewer_p95": round(max(sorted(v)[int(0.95 * len(v))] for v in per_viewer.values()), 1),
            "video_worker_cpu_s": round(cpu1 - cpu0, 2), "buffered_ahead_ms": quantiles(ahead),
            **quantiles(every_sample), "_samples": every_sample}


def _ahead(row: dict[str, Any]) -> str:
    ahead = row.get("buffered_ahead_ms")
    return f"{ahead['p50']:,.0f} / {ahead['p95']:,.0f}" if ahead else "—"


def markdown(record: dict[str, Any]) -> str:
    lines = ["# Video live view: delay camera → screen\n", f"Machine: {record['machine']}  ",
             f"Run: {record['when']}; {record['viewers']} viewers across {record['cameras']} cameras, "
             f"{record['rounds']} interleaved rounds of {record['window_s']:g} s.  ",
             f"Load average (1/5/15 min) before the run: {record['load_average_before']}; after: "
             f"{record['load_average_after']}.\n",
             "| path | rounds | samples (all rounds) | p50 ms | p95 ms | p99 ms | max ms | target |",
             "|---|---|---|---|---|---|---|---|"]
    for s in record["summary"]:
        lines.append(f"| {s['path']} | {s['rounds']} | {s['n']:,} | {s['p50']} | {s['p95']} | {s['p99']} "
                     f"| {s['max']} | {s['target']} |")
    lines += ["", "Per round:", "", "| side | connect s | samples | rejected reads | p50 ms | p95 ms | max ms | "
              "worst viewer p95 ms | frames decoded (least viewer) | buffered ahead p50 / p95 ms | CPU s in window |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in record["rows"]:
        cpu = r.get("video_worker_cpu_s", r.get("reader_cpu_s"))
        lines.append(f"| {r['side']} | {r['connect_s']} | {r['n']:,} | {r['rejected_reads']} | {r['p50']} | {r['p95']} "
                     f"| {r['max']} | {r.get('worst_viewer_p95', '—')} | {r.get('min_frames_decoded', '—')} | "
                     f"{_ahead(r)} | {cpu} |")
    lines += ["", NOTES.strip(), ""]
    return "\n".join(lines)


NOTES = """
Notes: the stamp is taken just before a frame enters the encoder, so both paths include the encoder and the RTSP
server; "direct" is the floor a viewer could get without Qorgau (PyAV decode in one process, no browser). The
browser path's delay is taken at the frame's expected display time (requestVideoFrameCallback), on the same machine
clock. Qorgau's path is the web app's own live player code (LiveStream: jump to the live edge when more than 1 s
behind) in a bench page on the server's origin, not the full video desk UI. Only every n-th presented frame is read
(canvas readback costs CPU here); a read whose inverse rows disagree is dropped and counted. "Buffered ahead" is how
much media the player held beyond the frame on screen when it was read: the player's own share of the delay.
Everything (16 encoders, the worker, the server, Chromium with 20 videos) shares the machine's 2 cores. CPU s: the
video worker processes (qorgau) or the direct reader process (direct) over the window.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--cameras", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--every", type=int, default=5, help="read every n-th presented frame in the browser")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    script = bundle()
    load_before = load_average()
    rows: list[dict[str, Any]] = []
    samples: dict[str, list[float]] = {"qorgau": [], "direct": []}
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp_dir, \
            rtsp_cameras(clocks=args.cameras, log=Path(tmp_dir) / "rtsp.log") as (port, _server), \
            qorgau(port, args.cameras, Path(tmp_dir)) as (base, worker), sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        rtsp = f"rtsp://127.0.0.1:{port}"
        try:
            for index in range(args.rounds):
                order = ("qorgau", "direct") if index % 2 == 0 else ("direct", "qorgau")
                for side in order:
                    if side == "qorgau":
                        row = browser_round(browser, base, script, args.viewers, args.cameras, args.window,
                                            args.every, worker)
                    else:
                        row = direct_round(rtsp, args.cameras, args.window)
                    samples[side] += row.pop("_samples")
                    rows.append(row)
                    print(json.dumps(row), flush=True)
                    time.sleep(3)  # the worker lets idle streams go before the next round
        finally:
            browser.close()
    summary = []
    for side, label, target in (("qorgau", "camera → Qorgau worker → server WebSocket → Chromium MSE → screen",
                                 True), ("direct", "camera → PyAV decode (no Qorgau, no browser)", False)):
        picked = [r for r in rows if r["side"] == side]
        pooled = quantiles(samples[side])
        worst = max(r["p95"] for r in picked)
        summary.append({"path": label, "rounds": len(picked), **pooled,
                        "target": ("met" if pooled["p95"] < 1500 else "**not met**")
                        + f" (worst round's p95 {worst:,.0f} ms)" if target else "—"})
    record = {"benchmark": "video_live", "when": now_utc(), "machine": machine(), "viewers": args.viewers,
              "cameras": args.cameras, "rounds": args.rounds, "window_s": args.window,
              "load_average_before": load_before, "load_average_after": load_average(),
              "target": "delay camera → screen p95 < 1.5 s with 20 viewers across 16 cameras",
              "summary": summary, "rows": rows}
    print(json.dumps(summary, indent=1))
    if not args.no_write:
        write_result("video_live", record, markdown(record))


if __name__ == "__main__":
    main()
