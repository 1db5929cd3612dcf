"""`qorgau demo`: the living Aksai a newcomer sees — a broker, the server and the simulator, started together.

The server runs as a child process (`qorgau serve`, its log in the data directory) with MQTT pointed at the demo
broker; the simulator then drives it from this process over the same protocols as any real device. The
simulator's account (role simulator) gets a fresh random password at every start, never printed.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from sqlalchemy.orm import Session

from qorgau.audit.service import Actor
from qorgau.auth import service as auth_service
from qorgau.auth.enums import Role
from qorgau.auth.schemas import UserCreate
from qorgau.core.bus import Context
from qorgau.core.processes import stop_process, tied_to_this_process, wait_ready
from qorgau.settings import Settings
from qorgau.simulator.broker import DemoBroker
from qorgau.simulator.runner import SimConfig
from qorgau.simulator.terminal import print_summary, run_simulation

SIMULATOR_USER = "simulator"
READY_TIMEOUT_S = 120.0
SERVER_STOP_S = 15.0  # the server stops within its graceful-shutdown setting; killed after this
DEMO_RECORDED_CAMERAS = 16
DEMO_ANALYSED_CAMERAS_PER_WORKER = 4
VOICE_STOP_S = 15.0  # the voice process drops its calls (recordings kept) within the shutdown grace
VIDEO_STOP_S = 15.0  # the video supervisor stops its workers within the shutdown grace (+2 s); killed after this


def simulator_account(session: Session, *, actor: Actor) -> str:
    """Create the simulator's account, or give it a new password; returns the password."""
    password = secrets.token_urlsafe(24)
    ctx = Context.system("demo")
    user = auth_service.get_by_username(session, SIMULATOR_USER)
    if user is None:
        auth_service.create(session, user_in=UserCreate(username=SIMULATOR_USER, display_name="Simulator",
                                                        role=Role.SIMULATOR, password=password),
                            actor=actor, ctx=ctx)
    else:
        auth_service.set_password(session, user_id=user.id, password=password, actor=actor, ctx=ctx)
    return password


def _on(flag: str) -> bool:
    return flag.strip().lower() in ("1", "true", "yes", "on")


def run_demo(settings: Settings, password: str, *, seed: int, intensity: float, duty_officer_s: float | None,
             scenarios: tuple[str, ...], duration_s: float | None, live: bool) -> None:
    """Start the broker and the server, play the simulator until Ctrl-C, SIGTERM or the duration, stop both.

    The broker and the server run in sessions of their own, so a Ctrl-C or a signal to the demo's process group
    reaches the demo alone: it ends the run while the server is still there to record it, then stops the server
    and the broker in that order. Both are tied to the demo's process and stop with it however it ends. If the
    server exits on its own, the run ends at once and the demo exits with an error.
    """
    console = Console(stderr=True)
    logs = settings.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    server_log = logs / "server.log"
    qorgau = shutil.which("qorgau") or str(Path(sys.executable).with_name("qorgau"))
    with DemoBroker(settings.data_dir / "mqtt") as broker:
        env = {**os.environ, "QORGAU_MQTT_URL": broker.url, "QORGAU_INGEST_IN_SERVE": "true"}
        # The video workers record the first few cameras only (unless the environment says otherwise), so a 2-core
        # laptop copes; the server reads the same limit for the cameras' recording mode.
        env.setdefault("QORGAU_VIDEO_RECORDED_CAMERAS_LIMIT", str(DEMO_RECORDED_CAMERAS))
        # Likewise analytics: a few entry and school cameras per worker, not every one of those groups.
        env.setdefault("QORGAU_VIDEO_ANALYTICS_CAMERAS_LIMIT", str(DEMO_ANALYSED_CAMERAS_PER_WORKER))
        # Operators answer the SOS terminals' calls: the voice process hosts the SIP listener (ADR 0045).
        env.setdefault("QORGAU_VOICE_ENABLED", "true")
        # ... and the 102 line: half the simulated 102 callers ring through the voice process's trunk.
        env.setdefault("QORGAU_VOICE_TRUNK_ENABLED", "true")
        url = f"http://{settings.host}:{settings.port}"
        with server_log.open("ab") as log:
            server = subprocess.Popen([qorgau, "serve"], env=env, stdout=log,  # noqa: S603 - our own command
                                      stderr=subprocess.STDOUT, start_new_session=True,
                                      preexec_fn=tied_to_this_process())
        # The camera workers (`qorgau video run`): a supervisor and its worker processes, beside the server.
        with (logs / "video.log").open("ab") as log:
            video = subprocess.Popen([qorgau, "video", "run"], env=env, stdout=log,  # noqa: S603 - our own command
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=tied_to_this_process())
        # The voice process (`qorgau voice run`): SIP for the terminals, the media bridge, the recorder.
        voice = None
        if _on(env["QORGAU_VOICE_ENABLED"]):
            with (logs / "voice.log").open("ab") as log:
                voice = subprocess.Popen([qorgau, "voice", "run"], env=env, stdout=log,  # noqa: S603 - ours
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=tied_to_this_process())

        def server_gone() -> str | None:
            code = server.poll()
            return None if code is None else f"the server exited with code {code} (log: {server_log})"

        try:
            wait_ready(server, f"{url}/readyz", server_log, "the server", timeout_s=READY_TIMEOUT_S)
            console.print(f"[bold green]Qorgau is running on {url}[/] — sign in as your administrator. "
                          f"Simulation of Aksai on (MQTT broker: {broker.kind} at {broker.url}); "
                          f"server log: {server_log}, video workers' log: {logs / 'video.log'}. "
                          "Ctrl-C stops everything.")
            config = SimConfig(
                url=url, username=SIMULATOR_USER, password=password, dc09_host="127.0.0.1",
                dc09_port=settings.dc09_tcp_port, sip_host="127.0.0.1", sip_port=settings.sip_port,
                trunk_port=settings.voice_trunk_port if voice is not None and _on(env["QORGAU_VOICE_TRUNK_ENABLED"])
                else None,
                mqtt_url=broker.url, mqtt_prefix=settings.mqtt_topic_prefix, seed=seed, intensity=intensity,
                scenarios=scenarios, duty_officer=duty_officer_s, duration_s=duration_s, name="demo",
                cameras=True, rtsp_log=logs / "rtsp.log")
            summary = run_simulation(config, live=live, console=console, stop_when=server_gone)
            print_summary(summary)
        finally:
            stop_process(video, timeout_s=VIDEO_STOP_S)
            if voice is not None:  # before the server: it still records how its calls ended
                stop_process(voice, timeout_s=VOICE_STOP_S)
            stop_process(server, timeout_s=SERVER_STOP_S)
    if (reason := server_gone()) is not None and summary["ended_by"] == reason:
        console.print(f"[red]error:[/red] {reason}")
        raise SystemExit(1)
