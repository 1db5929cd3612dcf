"""What the video benchmarks share: their H.264 input, the bench RTSP cameras, CPU accounting, the machine."""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qorgau.core.processes import stop_process

ROOT = Path(__file__).resolve().parents[2]
CLIPS = ROOT.parent / "shared" / "data" / "video"
RESULTS = ROOT / "bench" / "results"
DEBIAN_PYTHON = "/usr/bin/python3"  # imports gi (GStreamer); the project's venv cannot
CAMERAS_SCRIPT = Path(__file__).with_name("rtsp_cameras.py")
CACHE = Path(os.environ.get("QORGAU_BENCH_VIDEO_CACHE") or Path(tempfile.gettempdir()) / "qorgau-bench-video")
TICKS = os.sysconf("SC_CLK_TCK")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{platform.node()} · {os.cpu_count()} cores · {cpu} · Python {platform.python_version()}"


def load_average() -> str:
    """The 1/5/15-minute load averages: other work on the machine skews every row of a run."""
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def now_utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _encode(out: Path, *, size: str, bitrate: str, profile: str, seconds: int) -> None:
    # Looped road clip (12.5 s) at 25 fps, a key frame every 2 s, no B-frames: a typical CCTV encoder's stream.
    tmp = out.with_suffix(".tmp.mp4")
    subprocess.run(
        ["ffmpeg", "-y", "-v", "error", "-stream_loop", "-1", "-i", str(CLIPS / "road-640x360.avi"), "-an",
         "-t", str(seconds), "-vf", f"scale={size},fps=25", "-c:v", "libx264", "-preset", "veryfast",
         "-profile:v", profile, "-pix_fmt", "yuv420p", "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", "2M",
         "-g", "50", "-bf", "0", "-x264-params", "scenecut=0", "-movflags", "+faststart", str(tmp)],
        check=True, timeout=1800)
    tmp.rename(out)


def inputs(seconds: int = 90) -> tuple[Path, Path]:
    """The bench's camera streams (not committed): 1080p H.264 at 4 Mbps and 640×360 at 512 kbps, made once."""
    CACHE.mkdir(parents=True, exist_ok=True)
    main, sub = CACHE / f"main-{seconds}s.mp4", CACHE / f"sub-{seconds}s.mp4"
    if not main.exists():
        _encode(main, size="1920:1080", bitrate="4M", profile="high", seconds=seconds)
    if not sub.exists():
        _encode(sub, size="640:360", bitrate="512k", profile="main", seconds=seconds)
    return main, sub


def wait_port(port: int, process: subprocess.Popen[Any], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def stop(process: subprocess.Popen[Any], timeout_s: float = 10) -> None:
    """SIGTERM, then SIGKILL after ``timeout_s`` (the product's own helper, with the benchmarks' shorter wait)."""
    stop_process(process, timeout_s=timeout_s)


@contextmanager
def rtsp_cameras(*, cameras: int = 0, main: Path | None = None, sub: Path | None = None,
                 clocks: int = 0, log: Path | None = None) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """GStreamer's RTSP server with the bench mounts (see rtsp_cameras.py); yields its port and process."""
    port = free_port()
    argv = [DEBIAN_PYTHON, str(CAMERAS_SCRIPT), "--port", str(port), "--cameras", str(cameras),
            "--clocks", str(clocks)]
    if main:
        argv += ["--main", str(main)]
    if sub:
        argv += ["--sub", str(sub)]
    out = open(log or os.devnull, "wb")  # noqa: SIM115
    process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_port(port, process)
        yield port, process
    finally:
        stop(process)
        out.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far, its threads included (from /proc/<pid>/stat)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def cpu_of(pids: Sequence[int]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


def quantiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"n": len(ordered), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 1),
            "mean": round(statistics.fmean(ordered), 1)}


def write_result(name: str, record: dict[str, Any], markdown: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown)
