"""DC-09 ingest throughput: 200 panels on TCP, each sending its next frame right after the ACK of the last.

Receivers, each a process of its own, loaded by `python -m qorgau.protocols.dc09.loadgen` in another process:
  pysiaalarm   pysiaalarm 3.2.2's SIAClient (accounts 1001..1200, callback does nothing, nothing persisted)
               on asyncio, and on uvloop for a like-for-like loop;
  bare         bare uvloop framing, no parsing: ACK built from the frame's address (the upper bound);
  qorgau-*     `qorgau ingest` on SQLite and on PostgreSQL, every frame committed before its ACK; afterwards
               every acknowledged frame must be an `ingest.panel_event` row in the events table.
Results go to bench/results/ingest_dc09.json and .md with the machine noted.

Usage: .venv/bin/python bench/ingest_dc09.py [--seconds 15] [--panels 200]
           [--only pysiaalarm,pysiaalarm-uvloop,bare,qorgau-sqlite,qorgau-postgresql] [--encrypted-share 0]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from event_latency import machine  # noqa: E402
from tests.server import QORGAU, cli_env, run_cli  # noqa: E402

from qorgau.core.processes import stop_process  # noqa: E402

PG_BENCH_URL = os.environ.get("PG_BENCH_URL", "postgresql://postgres@127.0.0.1:5432/test")
KEY_HEX = "000102030405060708090A0B0C0D0E0F"
START_ACCOUNT = 1001

PYSIAALARM = r"""
import asyncio, sys
from pysiaalarm.aio import SIAAccount, SIAClient
port, panels, loop_kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
async def on_event(event):
    return None
async def main():
    accounts = [SIAAccount(str(1001 + i)) for i in range(panels)]
    client = SIAClient("127.0.0.1", port, accounts, on_event)
    await client.async_start()
    print("ready", flush=True)
    await asyncio.Event().wait()
if loop_kind == "uvloop":
    import uvloop
    uvloop.run(main())
else:
    asyncio.run(main())
"""

BARE = r"""
import asyncio, sys, uvloop
from qorgau.protocols.dc09.render import wrap
port = int(sys.argv[1])
class Bare(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.buf = transport, b""
    def data_received(self, data):
        buf = self.buf + data
        out = []
        while (end := buf.find(b"\r")) >= 0:
            frame, buf = buf[: end + 1], buf[end + 1 :]
            # The address runs from the sequence to the data block: echo it in an ACK, nothing parsed.
            quote = frame.find(b'"', 10)
            bracket = frame.find(b"[", quote)
            star = frame[10:11] == b"*"
            address = frame[quote + 1 : bracket].decode()
            out.append(wrap(('"*ACK"' if star else '"ACK"') + address + "[]"))
        self.buf = buf
        self.transport.write(b"".join(out))
async def main():
    server = await asyncio.get_running_loop().create_server(Bare, "127.0.0.1", port)
    print("ready", flush=True)
    await server.serve_forever()
uvloop.run(main())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, process: subprocess.Popen[Any], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"receiver exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"receiver did not listen on {port}")


@contextmanager
def receiver(argv: list[str], port: int, env: dict[str, str] | None = None,
             log: Path | None = None) -> Iterator[subprocess.Popen[Any]]:
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_port(port, process)
        time.sleep(0.5)  # the probe connection is gone before the load starts
        yield process
    finally:
        stop_process(process)
        if log:
            out.close()  # type: ignore[union-attr]


def load(port: int, args: argparse.Namespace, *, encrypted_share: float = 0.0) -> dict[str, Any]:
    argv = [sys.executable, "-m", "qorgau.protocols.dc09.loadgen", "--port", str(port), "--panels", str(args.panels),
            "--seconds", str(args.seconds), "--start-account", str(START_ACCOUNT)]
    if encrypted_share:
        argv += ["--encrypted-share", str(encrypted_share), "--key", KEY_HEX]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=args.seconds + 120)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def panels_csv(path: Path, count: int, *, keyed: int = 0) -> None:
    # Aksai centre ± a few hundred metres: inside the district the registry checks against.
    lines = ["code,kind,name_kk,name_ru,lon,lat,lifecycle,dc09_receiver,dc09_line,dc09_account,dc09_key"]
    for i in range(count):
        key = KEY_HEX if i < keyed else ""
        lines.append(f"BENCH-{i:04d},alarm_panel,Панель {i},Панель {i},{53.0 + i * 1e-5:.6f},{51.17 + i * 1e-5:.6f},"
                     f"commissioned,1,1,{START_ACCOUNT + i},{key}")
    path.write_text("\n".join(lines) + "\n")


def _pg_admin() -> psycopg.Connection[Any]:
    return psycopg.connect(PG_BENCH_URL, autocommit=True)


def count_events(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM events WHERE name = 'ingest.panel_event'")).scalar_one())
    finally:
        engine.dispose()


def run_qorgau(db_kind: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        pg_name = f"qorgau_bench_{uuid.uuid4().hex[:8]}" if db_kind == "postgresql" else None
        if pg_name:
            with _pg_admin() as admin:
                admin.execute(f'CREATE DATABASE "{pg_name}"')
            url = PG_BENCH_URL.replace("postgresql://", "postgresql+psycopg://", 1).rsplit("/", 1)[0] + f"/{pg_name}"
        else:
            url = f"sqlite:///{data}/qorgau.db"
        port = free_port()
        env = cli_env(data / "var", url, QORGAU_LOG_LEVEL="WARNING", QORGAU_DC09_TCP_PORT=str(port),
                      QORGAU_DC09_UDP_PORT=str(free_port()), QORGAU_SIP_ENABLED="false",
                      QORGAU_INGEST_HTTP_PORT=str(free_port()))
        try:
            for step in (("migrate",),):
                done = run_cli(env, *step)
                assert done.returncode == 0, done.stderr
            csv = data / "panels.csv"
            panels_csv(csv, args.panels, keyed=round(args.panels * args.encrypted_share))
            done = run_cli(env, "devices", "import", str(csv))
            assert done.returncode == 0, done.stderr
            log = ROOT / "bench" / "results" / f"ingest_dc09_{db_kind}.log"
            with receiver([QORGAU, "ingest"], port, env, log):
                row = load(port, args, encrypted_share=args.encrypted_share)
                time.sleep(1.0)
            row["events_in_db"] = count_events(url)
            row["every_ack_durable"] = row["events_in_db"] >= row["acknowledged"]
            log.unlink(missing_ok=True)
        finally:
            if pg_name:
                with _pg_admin() as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    return row


CASES = {
    "pysiaalarm": "pysiaalarm 3.2.2 receiver, asyncio (baseline, nothing persisted)",
    "pysiaalarm-uvloop": "pysiaalarm 3.2.2 receiver, uvloop (nothing persisted)",
    "bare": "bare uvloop framing + ACK, no parsing (upper bound)",
    "qorgau-sqlite": "qorgau ingest, SQLite, committed before ACK",
    "qorgau-postgresql": "qorgau ingest, PostgreSQL, committed before ACK",
}


NOTES = """
Notes: the machine has 2 cores; the receiver and the load generator each take one, and the receiver's writer
process (and PostgreSQL, in the last row) share them. Run-to-run spread on this VM is large, above all when other
work runs beside the benchmark (see the load averages above), so compare rows of one run. "events in DB" counts
`ingest.panel_event` rows after the load: it must equal "ACKed" (every acknowledged frame durable).
"""


def load_average() -> str:
    """The 1/5/15-minute load averages: other work on the machine skews every row of a run."""
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def run_case(name: str, args: argparse.Namespace) -> dict[str, Any]:
    if name.startswith("qorgau-"):
        row = run_qorgau(name.removeprefix("qorgau-"), args)
    else:
        port = free_port()
        if name == "bare":
            argv = [sys.executable, "-c", BARE, str(port)]
        else:
            argv = [sys.executable, "-c", PYSIAALARM, str(port), str(args.panels),
                    "uvloop" if name.endswith("uvloop") else "asyncio"]
        with receiver(argv, port):
            row = load(port, args)
    return {"case": name, "receiver": CASES[name], **row}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--only", default=",".join(CASES))
    parser.add_argument("--encrypted-share", type=float, default=0.0, help="share of AES panels for qorgau cases")
    args = parser.parse_args()
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    rows = []
    load_before = load_average()
    for name in args.only.split(","):
        row = run_case(name, args)
        rows.append(row)
        print(json.dumps(row), flush=True)
    results = ROOT / "bench" / "results"
    record = {"benchmark": "ingest_dc09", "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "machine": machine(), "panels": args.panels, "seconds": args.seconds,
              "target": "qorgau on SQLite ≥ 2× pysiaalarm's frames/s with every frame durable before its ACK",
              "load_average_before": load_before, "load_average_after": load_average(), "rows": rows}
    (results / "ingest_dc09.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    lines = ["# DC-09 ingest: frames/s and ACK latency\n", f"Machine: {record['machine']}  ",
             f"Run: {record['when']}; {args.panels} TCP panels, each sending its next frame after the ACK of the "
             f"last, {args.seconds:g} s per case; load generator `qorgau.protocols.dc09.loadgen` (uvloop) in its own "
             "process.  ",
             f"Load average (1/5/15 min) before the run: {record['load_average_before']}; after: "
             f"{record['load_average_after']}.\n",
             "| receiver | frames/s | ACKed | NAK | DUH | timeouts | p50 ms | p90 ms | p99 ms | max ms "
             "| events in DB |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        db = r.get("events_in_db", "—")
        lines.append(f"| {r['receiver']} | {r['frames_per_s']:,.0f} | {r['acknowledged']} | {r['nak']} | {r['duh']} "
                     f"| {r['timeouts']} | {r['p50_ms']} | {r['p90_ms']} | {r['p99_ms']} | {r['max_ms']} | {db} |")
    (results / "ingest_dc09.md").write_text("\n".join(lines) + "\n" + NOTES)
    print((results / "ingest_dc09.md").read_text())


if __name__ == "__main__":
    main()
