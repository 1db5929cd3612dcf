"""`qorgau voice run` as a process: it serves the control API with its token and hosts SIP; SIGINT stops it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qorgau.core.aio import within
from qorgau.settings import Settings
from qorgau.voice.control import BridgeClient, BridgeError, Health, control_token
from tests.ingest.adapters.sip.conftest import free_port
from tests.ingest.adapters.sip.raw import UdpClient


@pytest.mark.timeout(60)
def test_voice_run_serves_the_control_api_and_sip_and_stops_on_sigint(settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "QORGAU_DATA_DIR": str(settings.data_dir), "QORGAU_DATABASE_URL": str(settings.database_url),
           "QORGAU_VOICE_ENABLED": "true", "QORGAU_SIP_PORT": "0", "QORGAU_LOG_JSON": "false",
           "QORGAU_VOICE_CONTROL_PORT": str(port)}
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    qorgau = Path(sys.executable).with_name("qorgau")
    with (tmp_path / "voice.log").open("wb") as log:
        process = subprocess.Popen([str(qorgau), "voice", "run"], env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        client = BridgeClient(f"http://127.0.0.1:{port}", control_token(settings), timeout_s=2)

        async def up() -> Health:
            while True:
                if process.poll() is not None:
                    raise AssertionError((tmp_path / "voice.log").read_text()[-3000:])
                try:
                    return await client.health()
                except BridgeError:
                    await asyncio.sleep(0.2)

        async def scenario() -> tuple[Health, Any, Any]:
            health = await within(up(), 60)
            with pytest.raises(BridgeError) as refused:
                await BridgeClient(client.base_url, "not-the-token").calls()
            sip = await UdpClient(health.sip_port).open()
            sip.send("OPTIONS", branch="z9hG4bK-probe")
            answer = await sip.recv(5)
            sip.close()
            return health, refused.value, answer

        health, refused, answer = asyncio.run(scenario())
        assert health.status == "ok" and health.calls == 0 and health.sip_port > 0
        assert (refused.status, refused.code) == (401, "voice.control_unauthorised")
        assert answer.status == 403  # the SIP listener is up (an unknown caller is refused)
        assert (settings.keys_dir / "voice-control.key").stat().st_mode & 0o777 == 0o600
        process.send_signal(signal.SIGINT)
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
