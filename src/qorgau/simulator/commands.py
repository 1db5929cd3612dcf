"""`qorgau simulate`: drive a running server as Aksai's devices, patrols and callers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command()(simulate)


def simulate(
    url: Annotated[str, typer.Option(envvar="QORGAU_SIM_URL", help="The Qorgau server to drive.")]
    = "http://127.0.0.1:8000",
    username: Annotated[str | None, typer.Option(envvar="QORGAU_SIM_USERNAME", help="Account of the simulator "
                                                 "(role simulator); its password in QORGAU_SIM_PASSWORD.")] = None,
    token: Annotated[str | None, typer.Option(envvar="QORGAU_SIM_TOKEN", help="Or a bearer token of it.")] = None,
    dc09: Annotated[str, typer.Option(help="host:port of the DC-09 receiver.")] = "127.0.0.1:12300",
    sip: Annotated[str, typer.Option(help="host:port of the SIP listener.")] = "127.0.0.1:5060",
    sip_transport: Annotated[str, typer.Option(help="udp or tcp.")] = "udp",
    trunk_port: Annotated[int | None, typer.Option(help="Port of the voice process's 102 trunk on the SIP host: "
                                                   "half the 102 calls ring there, with speech.")] = None,
    mqtt_url: Annotated[str | None, typer.Option(envvar="QORGAU_MQTT_URL", help="Broker the devices publish to; "
                                                 "empty: turnstiles and GPS are left out.")] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same sequence of events.")] = 1,
    intensity: Annotated[float, typer.Option(help="Multiplies every background rate (1 = a realistic day).")] = 1.0,
    scale: Annotated[int, typer.Option(min=1, help="Load mode: N× panels (registered as SIM-PNL-…) and rates.")]
    = 1,
    duration: Annotated[float | None, typer.Option(help="Seconds to run; default: until Ctrl-C.")] = None,
    scenario: Annotated[list[str] | None, typer.Option(help="A shipped scenario's name or a YAML file; repeat.")]
    = None,
    background: Annotated[bool, typer.Option(help="Play the daily background besides the scenarios.")] = True,
    units: Annotated[bool, typer.Option(help="Move the simulated units and follow their dispatches.")] = True,
    duty_officer: Annotated[float | None, typer.Option(help="Seconds after which a simulated duty officer "
                                                       "acknowledges and dispatches what nobody took up.")] = None,
    speedup: Annotated[float, typer.Option(help="Units travel this many times faster (accelerated drills).")]
    = 1.0,
    start_at: Annotated[str | None, typer.Option(help="Play the plan from this ISO time instead of now, e.g. "
                                                 "2026-12-01T08:00+05:00 for a school morning.")] = None,
    sent_log: Annotated[Path | None, typer.Option(help="Append each planned item sent, as JSON lines.")] = None,
    live: Annotated[bool, typer.Option(help="Show the live table of rates per protocol.")] = True,
    cameras: Annotated[bool, typer.Option(help="Serve the simulated cameras' video over RTSP (GStreamer) and set "
                                          "their stream URLs and credentials on the server.")] = True,
    rtsp: Annotated[str, typer.Option(help="host:port the cameras' RTSP server listens on (port 0: any free "
                                      "one).")] = "127.0.0.1:0",
) -> None:
    """Drive a running Qorgau as Aksai's devices, patrols and callers, over DC-09, MQTT, SIP and the API."""
    from qorgau.simulator.runner import SimConfig
    from qorgau.simulator.terminal import parse_start, print_summary, run_simulation

    dc09_host, _, dc09_port = dc09.rpartition(":")
    sip_host, _, sip_port = sip.rpartition(":")
    rtsp_host, _, rtsp_port = rtsp.rpartition(":")
    config = SimConfig(
        url=url, username=username, password=os.environ.get("QORGAU_SIM_PASSWORD"), token=token,
        dc09_host=dc09_host or "127.0.0.1", dc09_port=int(dc09_port), sip_host=sip_host or "127.0.0.1",
        sip_port=int(sip_port), sip_transport=sip_transport, trunk_port=trunk_port, mqtt_url=mqtt_url or None,
        seed=seed,
        intensity=intensity, scale=scale, duration_s=duration, scenarios=tuple(scenario or ()),
        background=background, units=units, duty_officer=duty_officer, speedup=speedup, sent_log=sent_log,
        cameras=cameras, rtsp_host=rtsp_host or "127.0.0.1", rtsp_port=int(rtsp_port))
    print_summary(run_simulation(config, live=live, start_at=parse_start(start_at)))
