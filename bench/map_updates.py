"""The map desk under a power cut: a burst of device health changes, measured in real Chromium.

Two builds of the web app are compared in the same run, round by round against the same database: the map desk
before its updates were made incremental (`--old-dist`, a `web/dist` built from the commit before) and the
current one (`--new-dist`, default `web/dist`). For each round and build a server starts on the seeded Aksai
plan, Chromium opens the map desk, and a separate process commits `--burst` `devices.health_changed` in one
transaction, as a power cut does (devices offline), then another burst as the power comes back (online). Measured in the
page, from the commit until the legend shows every change and one quiet second after it:

- main-thread busy time (Chrome's TaskDuration) and script time, in total and per health change;
- the longest task (what the operator feels as a frozen map) and the sum of long tasks (> 50 ms);
- the longest gap between animation frames;
- the time until the legend counts every change.

Results go to bench/results/map_updates.json and .md with the machine, its load and the date.

Usage: .venv/bin/python bench/map_updates.py --old-dist /tmp/old-dist [--new-dist web/dist] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.server import cli_env, run_cli, running_server  # noqa: E402

PASSWORD = "bench-password-123"
CHROMIUM = "/usr/bin/chromium"
# Commits the burst in one transaction (devices.health.change publishes each event) and prints the commit time.
POWER_CUT = r"""
import sys, time
from sqlalchemy import select
from qorgau.core.bus import Context
from qorgau.core.bus.wake import install_poker
from qorgau.core.db import Database
from qorgau.core.time import utcnow
from qorgau.devices.enums import Health, HealthReason
from qorgau.devices.health import change
from qorgau.devices.models import Device
from qorgau.settings import load_settings

settings = load_settings()
db = Database(settings.effective_database_url)
install_poker(settings.run_dir)
count, target = int(sys.argv[1]), Health(sys.argv[2])
with db.unit_of_work() as session:
    devices = session.scalars(select(Device).order_by(Device.code).limit(count)).all()
    now = utcnow()
    for device in devices:
        change(session, device, target, HealthReason.SILENT, ctx=Context.system("bench"), now=now)
print(time.time(), flush=True)
"""
# Long tasks and the gaps between animation frames, recorded from the page's start.
PROBES = r"""
window.__bench = { longTasks: [], maxFrameGap: 0, recording: false };
new PerformanceObserver((list) => {
  if (!window.__bench.recording) return;
  for (const entry of list.getEntries()) window.__bench.longTasks.push(entry.duration);
}).observe({ type: "longtask", buffered: false });
let last = performance.now();
const frame = (now) => {
  if (window.__bench.recording) window.__bench.maxFrameGap = Math.max(window.__bench.maxFrameGap, now - last);
  last = now;
  requestAnimationFrame(frame);
};
requestAnimationFrame(frame);
"""


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"host": platform.node(), "cores": os.cpu_count(), "cpu": cpu, "load_1m": round(os.getloadavg()[0], 2),
            "python": platform.python_version(), "date": datetime.now(UTC).isoformat(timespec="seconds")}


def prepare(data: Path) -> dict[str, str]:
    env = cli_env(data / "var", f"sqlite:///{data}/qorgau.db")
    for command in (["migrate"], ["user", "add", "chief", "--role", "admin"], ["city", "seed-aksai"],
                    ["devices", "seed-aksai"]):
        result = run_cli(env, *command, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    return env


def metrics(page: Page, cdp: Any) -> dict[str, float]:
    answer = cdp.send("Performance.getMetrics")
    return {m["name"]: float(m["value"]) for m in answer["metrics"]}


def measure(page: Page, cdp: Any, env: dict[str, str], burst: int, target: str) -> dict[str, Any]:
    page.evaluate("window.__bench.longTasks = []; window.__bench.maxFrameGap = 0; window.__bench.recording = true")
    before = metrics(page, cdp)
    cut = subprocess.run([sys.executable, "-c", POWER_CUT, str(burst), target], env=env, capture_output=True,
                         text=True, timeout=120, check=True)
    committed = float(cut.stdout.split()[-1])
    legend = page.get_by_test_id(f"legend-count-{target}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if int(legend.inner_text() or "0") >= burst:
            break
        time.sleep(0.02)
    else:
        raise AssertionError(f"the legend never counted {burst} {target}")
    shown = time.time()
    time.sleep(1.0)
    after = metrics(page, cdp)
    probe = page.evaluate("window.__bench.recording = false; window.__bench")
    busy_ms = (after["TaskDuration"] - before["TaskDuration"]) * 1000
    script_ms = (after["ScriptDuration"] - before["ScriptDuration"]) * 1000
    long_tasks = probe["longTasks"]
    return {
        "target": target,
        "shown_after_commit_ms": round((shown - committed) * 1000),
        "main_thread_busy_ms": round(busy_ms, 1),
        "script_ms": round(script_ms, 1),
        "busy_per_change_ms": round(busy_ms / burst, 3),
        "longest_task_ms": round(max(long_tasks, default=0.0), 1),
        "long_tasks": len(long_tasks),
        "long_tasks_sum_ms": round(sum(long_tasks), 1),
        "max_frame_gap_ms": round(probe["maxFrameGap"], 1),
    }


def run_build(env: dict[str, str], data: Path, dist: Path, burst: int) -> list[dict[str, Any]]:
    server_env = {**env, "QORGAU_WEB_DIST": str(dist)}
    with running_server(server_env, data / "server.log") as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 900})
            page.add_init_script(PROBES)
            page.goto(base + "/")
            page.get_by_test_id("lang-en").click()
            page.get_by_test_id("login-username").fill("chief")
            page.get_by_test_id("login-password").fill(PASSWORD)
            page.get_by_test_id("login-submit").click()
            page.get_by_test_id("layer-count-camera").filter(has_text="469").wait_for(timeout=60_000)
            page.locator("[data-testid=conn-indicator][data-state=open]").wait_for(timeout=30_000)
            time.sleep(2.0)  # the first markers drawn and the stream settled
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            # A power cut and the power back: the two bursts differ (offline raises alarms), so each build gets both.
            return [measure(page, cdp, env, burst, target) for target in ("offline", "online")]
        finally:
            browser.close()


def summarise(samples: list[dict[str, Any]]) -> dict[str, float]:
    keys = [k for k in samples[0] if isinstance(samples[0][k], int | float)]
    return {k: round(statistics.median(s[k] for s in samples), 3) for k in keys}


def write(results: dict[str, Any]) -> None:
    out = ROOT / "bench" / "results"
    (out / "map_updates.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    m = results["machine"]
    rows = [("shown_after_commit_ms", "legend shows every change after the commit (ms)"),
            ("main_thread_busy_ms", "main thread busy for the burst (ms)"),
            ("busy_per_change_ms", "main thread busy per health change (ms)"),
            ("script_ms", "of which script (ms)"),
            ("longest_task_ms", "longest task (ms)"),
            ("long_tasks", "long tasks > 50 ms"),
            ("long_tasks_sum_ms", "long tasks, sum (ms)"),
            ("max_frame_gap_ms", "longest gap between frames (ms)")]
    old, new = results["median"]["old"], results["median"]["new"]
    lines = [
        "# Map desk under a burst of device health changes",
        "",
        f"{results['burst']} `devices.health_changed` committed in one transaction (a power cut), the map desk open "
        f"in Chromium ({results['viewport']}); medians of {results['rounds']} rounds × 2 bursts (offline, online) per build, the builds "
        "alternating against the same server database. `old`: the desk before incremental updates (every change "
        "rebuilt the cluster index and redrew the changed markers and clusters); `new`: this build.",
        "",
        f"Machine: {m['host']} · {m['cores']} cores · {m['cpu']} · load (1 min) {m['load_1m']} at the start · "
        f"{m['date']}",
        "",
        "| figure | old | new |",
        "|---|---:|---:|",
        *[f"| {label} | {old[key]} | {new[key]} |" for key, label in rows],
        "",
        "Every round: " + "; ".join(f"{s['build']} {s['target']} busy {s['main_thread_busy_ms']} ms, longest "
                                   f"{s['longest_task_ms']} ms" for s in results["samples"]) + ".",
        "",
    ]
    (out / "map_updates.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old-dist", type=Path, required=True)
    parser.add_argument("--new-dist", type=Path, default=ROOT / "web" / "dist")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--burst", type=int, default=500)
    args = parser.parse_args()
    started = machine()
    samples: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="map-bench-") as tmp:
        data = Path(tmp)
        env = prepare(data)
        for _ in range(args.rounds):
            for build, dist in (("old", args.old_dist), ("new", args.new_dist)):
                for result in run_build(env, data, dist.resolve(), args.burst):
                    sample = {"build": build, **result}
                    print(json.dumps(sample), flush=True)
                    samples.append(sample)
    median = {b: summarise([s for s in samples if s["build"] == b]) for b in ("old", "new")}
    write({"machine": started, "burst": args.burst, "rounds": args.rounds, "viewport": "1600×900",
           "samples": samples, "median": median})
    print(json.dumps(median, indent=2))


if __name__ == "__main__":
    main()
