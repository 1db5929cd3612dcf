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
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import harness  # noqa: E402
from desks import POLL_INTERVAL_MS, Desks, Stack, ingest_rejections, load_average, stack, summary  # noqa: E402
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
    until_raised: list[float] = []  # ACK → the rules made the alarm's event (the server reading and applying rules)
    raised_to_desk: list[float] = []  # that → the desk (the rules' commit, the live feed, the WebSocket)
    missing: list[str] = []
    extra = 0
    for number, desk in enumerate(desks.desks):
        seen: dict[str, int] = defaultdict(int)
        for _, device, at, recorded in desk.received:
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
                raised = datetime.fromisoformat(recorded).timestamp()
                until_raised.append(raised - acked)
                raised_to_desk.append(at - raised)
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
        "ack_to_desk": summary(after_ack), "ack_to_raised": summary(until_raised),
        "raised_to_desk": summary(raised_to_desk), "sender_lag": summary(sent_lag),
    }


def run_case(db_kind: str, transport: str, args: argparse.Namespace, csv: str) -> dict[str, Any]:
    """One case's figures: the headline numbers flat (medians are taken of these), the details beside them."""
    before = load_average()
    # Every frame an alarm (folding off); escalation far away, so the run measures the signal → desk path.
    with stack(db_kind, transport, devices_csv=csv, ingest=True, QORGAU_ALARM_FOLD_WINDOW_S="0") as running:
        result = asyncio.run(drive(running, args))
        result["ingest_rejected"] = ingest_rejections(running)
    flat = {"offered_per_s": args.rate, "seconds": args.seconds, "panels": args.panels, "clients": args.clients,
            "good_acked_per_s": result["good_acked_per_s"], "deliveries": result["deliveries"],
            "expected_deliveries": result["expected_deliveries"], "missing": result["missing"],
            "malformed_sent": sum(k["sent"] for k in result["malformed"].values()),
            "malformed_acked": sum(k["acknowledged"] for k in result["malformed"].values()),
            **result["send_to_desk"]}
    for stage in ("send_to_ack", "ack_to_raised", "raised_to_desk", "sender_lag"):
        if "p99_ms" in result[stage]:
            flat[f"{stage}_p99_ms"] = result[stage]["p99_ms"]
    return {**flat, "load_before_1m": before[0], "load_after_1m": load_average()[0], "details": result}


def case_name(code: str, db_kind: str, transport: str) -> str:
    return "/".join(part for part in (code, db_kind, transport) if part)


def readme_rows(cases: dict[str, Any], args: argparse.Namespace, code: str) -> list[dict[str, Any]]:
    rows = []
    for db_kind in args.db.split(","):
        ours, base = cases.get(case_name(code, db_kind, "auto")), cases.get(case_name(code, db_kind, "poll"))
        if ours is None or base is None:
            continue
        med, rounds = ours["median"], ours["rounds"]
        all_made = all(r["missing"] == 0 for r in rounds)
        none_acked = all(r["malformed_acked"] == 0 for r in rounds)
        rows.append(harness.readme_row(
            f"`bench/alarm_fanout.py` ({db_kind}): {harness.count(args.rate)} DC-09 frames/s offered open loop by "
            f"{args.panels} panels ({args.malformed:.0%} malformed) → separate ingest → alarm rules → "
            f"{args.clients} desks",
            result=f"p99 {harness.ms(med['p99_ms'])} send → desk at {harness.count(med['good_acked_per_s'])} "
                   f"good frames/s acknowledged (median of {len(rounds)}); "
                   f"{'every delivery made' if all_made else 'deliveries missing'}; "
                   f"{'no malformed frame acknowledged' if none_acked else 'malformed frames acknowledged'}",
            baseline=f"poll every {POLL_INTERVAL_MS} ms: p99 {harness.ms(base['median']['p99_ms'])}; ratio "
                     f"{harness.times(ours['ratio'])}",
            target=f"p99 < {harness.ms(TARGET_P99_MS)} at {harness.count(args.rate)}/s, every delivery made",
            met=med["p99_ms"] < TARGET_P99_MS and all_made and none_acked))
    return rows


TARGET_P99_MS = 250.0
NOTES = """Latency: a frame's scheduled send time → its `alarms.raised` on a desk. The stages beside it
(p99 of each): send → ACK (the ingest), ACK → the alarm's event made by the rules (`recorded_at`; the server
reading the outbox and applying the rules), that → the desk (the rules' commit, the live feed, the WebSocket).
Each round's details (malformed frames by kind and the ingest's rejection counters by reason, the first missing
deliveries) are in the JSON."""


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
    parser.add_argument("--code", help="NAME=SRC,NAME=SRC: interleave servers run from these source folders "
                                       "(a change measured against its parent); the last is the one reported")
    parser.add_argument("--result", default="alarm_fanout", help="name of the result in bench/results")
    parser.add_argument("--profile", help="folder for py-spy's collapsed stacks of the server and the ingest")
    args = parser.parse_args()
    csv = devices_csv(args.panels)
    variants = dict(v.split("=", 1) for v in args.code.split(",")) if args.code else {"": ""}

    def case(code: str, source: str, db_kind: str, transport: str) -> Any:
        def one(_: int) -> dict[str, Any]:
            if source:  # the servers (children of this process) import this copy of the source
                os.environ["PYTHONPATH"] = source
            return run_case(db_kind, transport, args, csv)
        return one

    run = harness.Run(args.result)
    rounds = harness.interleave({case_name(code, d, t): case(code, source, d, t) for code, source in variants.items()
                                 for d in args.db.split(",") for t in args.transports.split(",")},
                                rounds=args.rounds)
    cases: dict[str, Any] = {}
    for db_kind in args.db.split(","):
        if len(variants) > 1:  # code against code: each transport's ratio to the first variant (the parent)
            for transport in args.transports.split(","):
                group = {code: rounds[case_name(code, db_kind, transport)] for code in variants}
                for code, entry in harness.summarise(group, baseline=next(iter(variants)), metric="p99_ms",
                                                     ratio_metrics=["ack_to_raised_p99_ms"]).items():
                    cases[case_name(code, db_kind, transport)] = entry
            continue
        code = next(iter(variants))
        group = {t: rounds[case_name(code, db_kind, t)] for t in args.transports.split(",")}
        baseline = "poll" if "poll" in group else next(iter(group))
        for transport, entry in harness.summarise(group, baseline=baseline, metric="p99_ms").items():
            cases[case_name(code, db_kind, transport)] = entry
    cases["parameters"] = {"offered_per_s": args.rate, "seconds": args.seconds, "panels": args.panels,
                           "clients": args.clients, "malformed_share": args.malformed,
                           "poll_interval_ms": POLL_INTERVAL_MS, "target_p99_ms": TARGET_P99_MS}
    readme = readme_rows(cases, args, list(variants)[-1])
    print(json.dumps({name: c["median"] for name, c in cases.items() if "median" in c}, indent=1))
    print(json.dumps(readme, indent=1, ensure_ascii=False))
    if not args.no_write:
        harness.write_result(args.result, run.finish(cases=cases, readme=readme, rounds=args.rounds), notes=NOTES)


if __name__ == "__main__":
    main()
