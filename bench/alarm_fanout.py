"""Alarm fan-out, open loop: DC-09 panels → a separate `qorgau ingest` → the alarm rules in `qorgau serve` → the
live feed → 20 operator desks.

The panels (bench/open_loop_panels.py, a process of its own) send frames on a schedule at the offered rate,
acknowledged or not; every good frame is a tamper report that the rules turn into an alarm (folding off), and 1 %
of the frames are malformed (none may be acknowledged; the ingest counts each by reason). Latency: from a frame's
SCHEDULED send time to the arrival of its `alarms.raised` on each desk, so queueing anywhere (the sender
included) counts. A desk's k-th alarm of a device is that device's k-th good frame (TCP keeps a panel's frames in
order, the outbox keeps commit order). The run waits for every expected delivery (deadline: --drain seconds after
the last frame) and lists the missing ones.

Cases: SQLite and PostgreSQL, each with the wake-up transport and, as the baseline, readers polling the outbox
every 250 ms; run interleaved (one of each per round, in turn), at least three rounds.
Target (issue 16): 1,000 alarms/s offered to 20 desks, every delivery made, p99 send → desk under 250 ms.

Usage: .venv/bin/python bench/alarm_fanout.py [--rate 1000] [--seconds 10] [--clients 20] [--panels 200]
           [--rounds 3] [--db sqlite,postgresql] [--transports auto,poll] [--malformed 0.01] [--drain 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from desks import TRANSPORTS, Desks, Stack, ingest_rejections, load_average, stack, summary  # noqa: E402
from event_latency import machine  # noqa: E402
from ingest_dc09 import START_ACCOUNT, panels_csv  # noqa: E402

MISSING_LISTED = 20


def devices_csv(panels: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "panels.csv"
        panels_csv(path, panels)
        return path.read_text()


def device_of(account: str) -> str:
    return f"BENCH-{int(account) - START_ACCOUNT:04d}"


async def drive(stack_: Stack, args: argparse.Namespace) -> dict[str, Any]:
    async with Desks(stack_, args.clients, "alarms.raised") as desks:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            start_at = time.time() + 2.0  # the sender's connections and frames are ready by then
            sender = await asyncio.create_subprocess_exec(
                sys.executable, str(ROOT / "bench" / "open_loop_panels.py"), "--port", str(stack_.dc09_port),
                "--panels", str(args.panels), "--rate", str(args.rate), "--seconds", str(args.seconds),
                "--malformed", str(args.malformed), "--start-account", str(START_ACCOUNT),
                "--start-at", str(start_at), "--out", out.name, stderr=subprocess.PIPE)
            profilers = profile(stack_, args) if args.profile else []
            _, err = await sender.communicate()
            for profiler in profilers:
                await asyncio.to_thread(profiler.wait, 120)
            if sender.returncode != 0:
                raise RuntimeError(f"sender failed: {err.decode()[-2000:]}")
            sent = json.loads(Path(out.name).read_text())
        good = [f for f in sent["frames"] if f[2] == "good"]
        expected = len(good) * args.clients
        last_due = start_at + args.seconds
        complete = await desks.wait_for(expected, time.monotonic() + max(0.0, last_due - time.time()) + args.drain)
        return score(sent, good, desks, args, complete)


def profile(stack_: Stack, args: argparse.Namespace) -> list[subprocess.Popen[bytes]]:
    """py-spy (in the venv) on the server and the ingest for the load's duration: collapsed stacks per process."""
    port = stack_.base.rsplit(":", 1)[1]
    wanted = {"server": ["serve", "--port", port], "ingest": ["ingest"]}
    started = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().decode().split("\0")
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if stack_.env["QORGAU_DATA_DIR"].encode() not in environ:
            continue  # not one of this case's processes
        for name, tail in wanted.items():
            if argv[1 : 1 + len(tail)] == tail or argv[-len(tail) - 1 : -1] == tail:
                out = Path(args.profile) / f"{name}-{stack_.url.split(':', 1)[0]}-{proc.name}.txt"
                started.append(subprocess.Popen(
                    [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", proc.name, "--format", "raw",
                     "--duration", str(int(args.seconds) + 3), "--rate", "50", "--nonblocking", "-o", str(out)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return started


def score(sent: dict[str, Any], good: list[list[Any]], desks: Desks, args: argparse.Namespace,
          complete: bool) -> dict[str, Any]:
    """Latency of every delivery from its frame's scheduled time; what never arrived, by frame."""
    scheduled: dict[str, list[tuple[str, int, float, float | None]]] = defaultdict(list)
    for account, seq, _, due, _, acked in good:
        scheduled[device_of(account)].append((account, seq, due, acked))
    latencies: list[float] = []
    after_ack: list[float] = []  # the server's part: the ingest had committed the frame when it ACKed
    missing: list[str] = []
    extra = 0
    for number, desk in enumerate(desks.desks):
        seen: dict[str, int] = defaultdict(int)
        for _, device, at in desk.received:
            ordinal = seen[device]
            seen[device] += 1
            frames = scheduled.get(device, [])
            if ordinal >= len(frames):
                extra += 1
                continue
            latencies.append(at - frames[ordinal][2])
            acked = frames[ordinal][3]
            if acked is not None:
                after_ack.append(at - acked)
        for device, frames in scheduled.items():
            missing += [f"desk {number}: {account}/{seq}" for account, seq, _, _ in frames[seen[device]:]]
    malformed = [f for f in sent["frames"] if f[2] != "good"]
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: {"sent": 0, "acknowledged": 0})
    for frame in malformed:
        by_kind[frame[2]]["sent"] += 1
        by_kind[frame[2]]["acknowledged"] += frame[5] is not None
    acks = [f[5] - f[3] for f in good if f[5] is not None]
    sent_lag = [f[4] - f[3] for f in sent["frames"]]
    span = max(f[5] for f in good if f[5] is not None) - good[0][3] if acks else 0.0
    return {
        "good_frames": len(good), "good_acknowledged": len(acks),
        "good_acked_per_s": round(len(acks) / max(span, args.seconds), 1),
        "malformed": dict(by_kind), "answers": sent["answers"],
        "expected_deliveries": len(good) * args.clients, "deliveries": len(latencies), "unexpected": extra,
        "complete": complete, "missing": len(missing), "missing_first": missing[:MISSING_LISTED],
        "send_to_desk": summary(latencies), "send_to_ack": summary(acks),
        "ack_to_desk": summary(after_ack), "sender_lag": summary(sent_lag),
    }


def run_case(db_kind: str, transport: str, args: argparse.Namespace, csv: str) -> dict[str, Any]:
    before = load_average()
    # Every frame an alarm (folding off); escalation far away, so the run measures the signal → desk path.
    with stack(db_kind, transport, devices_csv=csv, ingest=True, QORGAU_ALARM_FOLD_WINDOW_S="0") as running:
        result = asyncio.run(drive(running, args))
        result["ingest_rejected"] = ingest_rejections(running)
    return {"db": db_kind, "transport": transport, "offered_per_s": args.rate, "clients": args.clients,
            "load_before": before, "load_after": load_average(), **result}


def medians(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per case: the median (and range) of p99 and of the good rate over the rounds; the per-round ratio of the
    wake-up transport's p99 to the poll baseline's."""
    out: dict[str, Any] = {}
    for db_kind in sorted({r["db"] for r in rows}):
        for transport in sorted({r["transport"] for r in rows}):
            case = [r for r in rows if r["db"] == db_kind and r["transport"] == transport]
            if not case:
                continue
            p99s = [r["send_to_desk"].get("p99_ms", float("inf")) for r in case]
            out[f"{db_kind}/{transport}"] = {
                "rounds": len(case), "p99_ms_median": statistics.median(p99s), "p99_ms_range": [min(p99s), max(p99s)],
                "p50_ms_median": statistics.median(r["send_to_desk"].get("p50_ms", float("inf")) for r in case),
                "good_acked_per_s_median": statistics.median(r["good_acked_per_s"] for r in case),
                "every_delivery_made": all(r["missing"] == 0 for r in case),
                "no_malformed_acknowledged": all(k["acknowledged"] == 0 for r in case for k in r["malformed"].values()),
                "target_met": statistics.median(p99s) < 250 and all(r["missing"] == 0 for r in case),
            }
        pairs = [(a, b) for a in rows for b in rows if a["db"] == b["db"] == db_kind and a["round"] == b["round"]
                 and a["transport"] == "auto" and b["transport"] == "poll"]
        if pairs:
            ratios = [b["send_to_desk"].get("p99_ms", 0) / max(a["send_to_desk"].get("p99_ms", 1), 1e-9)
                      for a, b in pairs]
            out[f"{db_kind}/poll_p99_over_auto_p99"] = {"median": round(statistics.median(ratios), 2),
                                                        "range": [round(min(ratios), 2), round(max(ratios), 2)]}
    return out


def write(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    record = {"benchmark": "alarm_fanout", "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "machine": machine(), "args": vars(args), "summary": medians(rows), "rows": rows}
    (results / "alarm_fanout.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    lines = ["# Alarm fan-out, open loop: DC-09 panels → separate ingest → alarm rules → live feed → desks", "",
             f"Machine: {record['machine']}  ",
             f"Run: {record['when']}; {args.panels} panels offering {args.rate:g} frames/s for {args.seconds:g} s "
             f"on a fixed schedule ({args.malformed:.0%} malformed), every good frame a tamper alarm (folding off), "
             f"{args.clients} desks subscribed to `alarms.raised` with batch frames; {args.rounds} interleaved "
             "rounds. Latency: the frame's scheduled send time → its `alarms.raised` on a desk.", "",
             "| round | database | transport | good acked/s | deliveries (of expected) | p50 ms | p95 ms | p99 ms "
             "| max ms | malformed acked | load before → after |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lat = r["send_to_desk"]
        bad = sum(k["acknowledged"] for k in r["malformed"].values())
        lines.append(f"| {r['round']} | {r['db']} | {TRANSPORTS[r['transport']]} | {r['good_acked_per_s']:,} "
                     f"| {r['deliveries']:,} of {r['expected_deliveries']:,} | {lat.get('p50_ms', '-')} "
                     f"| {lat.get('p95_ms', '-')} | {lat.get('p99_ms', '-')} | {lat.get('max_ms', '-')} | {bad} "
                     f"| {r['load_before'][0]} → {r['load_after'][0]} |")
    lines += ["", "Medians over the rounds:", "", "```", json.dumps(record["summary"], indent=1), "```", "",
              "Target: every delivery made and p99 under 250 ms at 1,000 alarms/s to 20 desks, on both databases."]
    (results / "alarm_fanout.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--transports", default="auto,poll")
    parser.add_argument("--malformed", type=float, default=0.01)
    parser.add_argument("--drain", type=float, default=30.0, help="seconds after the last frame to wait")
    parser.add_argument("--no-write", action="store_true", help="print only (trial runs)")
    parser.add_argument("--code", help="NAME=SRC,NAME=SRC: interleave servers run from these source folders")
    parser.add_argument("--profile", help="folder for py-spy's collapsed stacks of the server and the ingest")
    args = parser.parse_args()
    csv = devices_csv(args.panels)
    rows = []
    variants = dict(v.split("=", 1) for v in args.code.split(",")) if args.code else {"": ""}
    for number in range(1, args.rounds + 1):
        for variant, source in variants.items():
            if source:  # the servers run this copy of the source (a change measured against its parent)
                os.environ["PYTHONPATH"] = source
            for db_kind in args.db.split(","):
                for transport in args.transports.split(","):
                    row = {"round": number, "code": variant, **run_case(db_kind, transport, args, csv)}
                    rows.append(row)
                    print(json.dumps({k: v for k, v in row.items() if k != "missing_first"}), flush=True)
    if not args.no_write:
        write(rows, args)
    print(json.dumps(medians(rows), indent=1))


if __name__ == "__main__":
    main()
