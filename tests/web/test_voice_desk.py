"""The voice desk in real Chromium: a baresip SOS terminal calls `qorgau voice run`, two operators' desks ring, one
answers with the fake microphone (a 1 kHz tone), each side hears the other's tone, hold, transfer to the second
desk, hang-up; the recording holds both directions."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import threading
import time
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, expect

from qorgau.core.keyfiles import read_key_file
from qorgau.core.processes import stop_process
from qorgau.simulator.sip_caller import CallResult, place_call
from qorgau.voice.control import TOKEN_BYTES, TOKEN_FILE
from tests.conftest import PASSWORD
from tests.server import QORGAU, ROOT, cli_env, free_port, run_cli, running_server
from tests.voice.bridge_peers import BARESIP, band_energy, dominant_hz, read_wav
from tests.web.conftest import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.skipif(BARESIP is None, reason="baresip is not installed")]

# In the page: the call's audio (the <audio> element's stream) through an AnalyserNode; the loudest bin every
# 200 ms for `ms`, as [frequency Hz, level dB].
PEAKS_JS = """async (ms) => {
  const audio = document.querySelector('[data-testid="voice-remote-audio"]');
  if (!audio || !audio.srcObject) return [];
  const ctx = new AudioContext();
  await ctx.resume();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 8192;
  analyser.smoothingTimeConstant = 0;
  ctx.createMediaStreamSource(audio.srcObject).connect(analyser);
  const data = new Float32Array(analyser.frequencyBinCount);
  const peaks = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    analyser.getFloatFrequencyData(data);
    let best = 1;
    for (let i = 2; i < data.length; i++) if (data[i] > data[best]) best = i;
    peaks.push([best * ctx.sampleRate / analyser.fftSize, data[best]]);
  }
  await ctx.close();
  return peaks;
}"""


def write_tone(path: Path, hz: float, seconds: float, rate: int) -> Path:
    """A mono 16-bit WAV of a sine."""
    t = np.arange(int(seconds * rate)) / rate
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((8000 * np.sin(2 * np.pi * hz * t)).astype("<i2").tobytes())
    return path


def heard_in_page(page: Page, ms: int = 1600) -> list[tuple[float, float]]:
    """The dominant frequencies of the call's audio in the page over `ms`."""
    return [(float(hz), float(db)) for hz, db in page.evaluate(PEAKS_JS, ms)]


def share_near(peaks: list[tuple[float, float]], hz: float, tolerance: float = 30.0, floor_db: float = -80.0) -> float:
    """The share of loud enough peaks within `tolerance` of `hz`."""
    loud = [p for p in peaks if p[1] > floor_db]
    return sum(abs(p[0] - hz) <= tolerance for p in loud) / len(peaks) if peaks else 0.0


@contextmanager
def voice_process(env: dict[str, str], data: Path, port: int) -> Iterator[None]:
    """`qorgau voice run` on `port`, ready when its control API answers with the token from the key file."""
    log_path = data / "voice.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([QORGAU, "voice", "run", "--port", str(port)], env=env, stdout=log,
                                   stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"voice process exited: {log_path.read_text(errors='replace')[-2000:]}")
            key = Path(env["QORGAU_DATA_DIR"]) / "keys" / TOKEN_FILE
            if key.exists():
                token = read_key_file(key, TOKEN_BYTES).hex()
                try:
                    answer = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2,
                                       headers={"Authorization": f"Bearer {token}"})
                    if answer.status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"voice process not ready: {log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield
    finally:
        stop_process(process, 20)


@dataclass
class Terminal:
    """A baresip SOS terminal: plays a WAV as its microphone, records what it hears (dump-*-dec.wav)."""

    process: subprocess.Popen[bytes]
    folder: Path
    output: list[str] = field(default_factory=list)

    def wait_for(self, text: str, timeout_s: float = 15.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not any(text in line for line in self.output):
            if time.monotonic() > deadline:
                raise AssertionError(f"baresip never printed {text!r}: {self.output[-30:]}")
            time.sleep(0.05)

    def heard(self) -> tuple[np.ndarray[Any, Any], int]:
        dumps = sorted(self.folder.glob("dump-*-dec.wav"))
        assert dumps, f"baresip recorded nothing: {list(self.folder.iterdir())}"
        return read_wav(dumps[-1])


@contextmanager
def baresip_terminal(folder: Path, sip_port: int, *, user: str, source: Path) -> Iterator[Terminal]:
    """baresip dialling the voice process as terminal `user` (G.711 only); quit (its recording closed) at exit."""
    assert BARESIP is not None
    folder.mkdir(parents=True, exist_ok=True)
    modules = "\n".join(f"module\t\t\t{name}.so" for name in ("stdio", "g711", "aufile", "sndfile", "account", "menu"))
    (folder / "config").write_text(
        f"poll_method\t\tepoll\nsip_listen\t\t127.0.0.1:0\nsip_trans_def\t\tudp\naudio_source\t\taufile,{source}\n"
        f"audio_player\t\taufile,/dev/null\naudio_alert\t\taufile,/dev/null\nausrc_srate\t\t8000\n"
        f"auplay_srate\t\t8000\nausrc_channels\t\t1\nauplay_channels\t\t1\nrtp_ports\t\t44000-44998\n"
        f"snd_path\t\t{folder}\nmodule_path\t\t/usr/lib/baresip/modules\n{modules}\n")
    (folder / "accounts").write_text(f"<sip:{user}@127.0.0.1>;regint=0\n")
    (folder / "contacts").write_text("")
    process = subprocess.Popen([BARESIP, "-f", str(folder), "-e", f"/dial sip:sos@127.0.0.1:{sip_port}"], cwd=folder,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    terminal = Terminal(process, folder)

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            terminal.output.append(line.decode(errors="replace").rstrip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        yield terminal
    finally:
        if process.poll() is None and process.stdin is not None:
            try:
                process.stdin.write(b"q")
                process.stdin.flush()
                process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        stop_process(process, 5)
        reader.join(timeout=5)
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()


# ---- the test --------------------------------------------------------------------------------------------------

TERMINAL_HZ, OPERATOR_HZ = 700.0, 1000.0
USERS = (["op", "--role", "operator", "--display-name", "Duty Operator"],
         ["op2", "--role", "operator", "--display-name", "Second Operator"])


@dataclass(frozen=True)
class VoiceServer:
    base: str
    sip_port: int
    trunk_port: int
    data: Path


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoiceServer]:
    """`qorgau serve` and `qorgau voice run` on one SQLite database: Aksai's city, devices (SOS terminals with SIP
    users 7001…) and two operators."""
    if not (ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the web app is not built: run ./run test (or ./run web)")
    data = tmp_path_factory.mktemp("voice-desk")
    sip_port, control_port, trunk_port = free_port(), free_port(), free_port()
    env = cli_env(data / "var", f"sqlite:///{data}/qorgau.db", QORGAU_VOICE_ENABLED="true",
                  QORGAU_VOICE_CONTROL_PORT=str(control_port), QORGAU_SIP_PORT=str(sip_port),
                  QORGAU_VOICE_ESCALATE_AFTER_S="600", QORGAU_VOICE_TRUNK_ENABLED="true",
                  QORGAU_VOICE_TRUNK_PORT=str(trunk_port))
    for command in (["migrate"], *(["user", "add", *user] for user in USERS), ["city", "seed-aksai"],
                    ["devices", "seed-aksai"]):
        result = run_cli(env, *command, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    with voice_process(env, data, control_port), running_server(env, data / "server.log") as base:
        yield VoiceServer(base, sip_port, trunk_port, data)


@pytest.fixture(scope="module")
def fake_mic_browser(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory,
                     browser_type_launch_args: dict[str, Any]) -> Iterator[Browser]:
    """Chromium whose microphone is a WAV of a 1 kHz tone, permission granted without a prompt."""
    mic = write_tone(tmp_path_factory.mktemp("mic") / "tone.wav", OPERATOR_HZ, 10.0, 48000)
    args = [*browser_type_launch_args["args"], "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-audio-capture={mic}", "--autoplay-policy=no-user-gesture-required"]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    yield browser
    browser.close()


def _desk(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context(permissions=["microphone"]).new_page()
    page.goto(base + "/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()
    page.evaluate("() => { history.pushState(null, '', '/alarms'); dispatchEvent(new PopStateEvent('popstate')); }")
    expect(page.get_by_test_id("voice-panel")).to_be_visible()
    return page


def _row(page: Page, role: str) -> Locator:
    return page.locator(f'[data-testid="voice-call"][data-role="{role}"]')


@pytest.mark.timeout(300)  # the module fixture seeds the city and devices first (a minute or two on a loaded machine)
def test_an_sos_call_is_answered_held_transferred_and_hung_up_in_the_browser(
        voice_server: VoiceServer, fake_mic_browser: Browser, tmp_path: Path) -> None:
    first = _desk(fake_mic_browser, voice_server.base, "op")
    second = _desk(fake_mic_browser, voice_server.base, "op2")
    source = write_tone(tmp_path / "terminal.wav", TERMINAL_HZ, 60.0, 8000)
    with baresip_terminal(tmp_path / "baresip", voice_server.sip_port, user="7001", source=source) as terminal:
        dialled = time.monotonic()
        # It rings on both desks, with the terminal, its site and the time waited.
        expect(_row(first, "offered")).to_have_count(1, timeout=15_000)
        rang_after = time.monotonic() - dialled
        expect(_row(second, "offered")).to_have_count(1)
        expect(first.get_by_test_id("voice-panel")).to_have_attribute("data-ringing", "true")
        row = _row(first, "offered")
        expect(row).to_contain_text("SOS-")
        # One key answers the oldest call: the browser's offer goes to the bridge, its answer comes back.
        first.get_by_test_id("voice-panel").click(position={"x": 5, "y": 5})
        first.keyboard.press("c")
        expect(first.get_by_test_id("voice-line-state")).to_have_attribute("data-state", "talking", timeout=20_000)
        # The other desk sees who took it.
        expect(_row(second, "taken")).to_contain_text("Duty Operator", timeout=10_000)
        expect(second.get_by_test_id("voice-answer")).to_have_count(0)
        # The terminal's tone arrives in the page.
        peaks = heard_in_page(first)
        assert share_near(peaks, TERMINAL_HZ) >= 0.6, peaks
        # Hold: the line says so; then back.
        first.get_by_test_id("voice-hold").click()
        expect(first.get_by_test_id("voice-line-state")).to_have_attribute("data-state", "held")
        expect(_row(second, "taken")).to_have_attribute("data-state", "held", timeout=10_000)
        first.get_by_test_id("voice-hold").click()
        expect(first.get_by_test_id("voice-line-state")).to_have_attribute("data-state", "talking")
        time.sleep(1.5)  # the terminal hears the operator's tone for a while (checked in its recording below)
        # Transfer to the second operator, who answers it on their desk.
        first.get_by_test_id("voice-transfer-select").click()
        first.get_by_role("option", name="Second Operator").click()
        first.get_by_test_id("voice-transfer").click()
        expect(_row(second, "transfer_to_me")).to_have_count(1, timeout=10_000)
        _row(second, "transfer_to_me").get_by_test_id("voice-answer").click()
        expect(second.get_by_test_id("voice-line-state")).to_have_attribute("data-state", "talking", timeout=20_000)
        expect(_row(first, "taken")).to_contain_text("Second Operator", timeout=10_000)
        expect(first.get_by_test_id("voice-line-state")).to_have_count(0)
        peaks = heard_in_page(second)
        assert share_near(peaks, TERMINAL_HZ) >= 0.6, peaks
        # An incident from the call: the intake opens with the terminal's place, and the incident is linked.
        second.get_by_test_id("voice-create-incident").click()
        expect(second.get_by_test_id("intake-call-location")).to_be_visible()
        second.get_by_test_id("intake-category").click()
        second.get_by_role("option").first.click()
        second.get_by_test_id("intake-description").fill("SOS: a fight at the stop")
        second.get_by_test_id("intake-submit").click()
        expect(second.get_by_test_id("voice-open-incident")).to_be_visible(timeout=15_000)
        # Hang up: BYE to the terminal, the call leaves both desks.
        second.get_by_test_id("voice-hangup").click()
        terminal.wait_for("terminated", 15)
        expect(first.get_by_test_id("voice-call")).to_have_count(0, timeout=10_000)
        expect(second.get_by_test_id("voice-call")).to_have_count(0, timeout=10_000)
    # The operators' tone reached the terminal.
    heard, rate = terminal.heard()
    size = int(0.4 * rate)
    loud = [heard[i:i + size] for i in range(0, len(heard) - size + 1, size) if np.abs(heard[i:i + size]).max() > 300]
    assert sum(abs(dominant_hz(w, rate) - OPERATOR_HZ) <= 30 for w in loud) >= 4, [dominant_hz(w, rate) for w in loud]
    # The recording holds both directions: the terminal on the left, the operators on the right.
    operator = httpx.Client(base_url=voice_server.base, timeout=30)
    try:
        login = operator.post("/api/auth/login", json={"username": "op", "password": PASSWORD})
        assert login.status_code == 200, login.text
        call = _wait_recording(operator)
        assert call["incident_id"] is not None, call
        audio = operator.get(call["recording"]["url"])
        assert audio.status_code == 200, audio.text
    finally:
        operator.close()
    with av.open(io.BytesIO(audio.content), mode="r") as container:
        stream = container.streams.audio[0]
        assert stream.channels == 2
        pcm = np.concatenate([frame.to_ndarray() for frame in container.decode(stream)], axis=1)
    assert band_energy(pcm[0] * 32767, stream.rate, TERMINAL_HZ) > 0.5
    assert band_energy(pcm[1] * 32767, stream.rate, OPERATOR_HZ) > 0.3
    # The incident plays the call back: an <audio> on the recording (HTTP Range, as the element asks).
    first.goto(f"{voice_server.base}/incidents/{call['incident_id']}")
    player = first.get_by_test_id("incident-call-recording")
    expect(player).to_be_visible(timeout=15_000)
    status = first.evaluate("src => fetch(src, {headers: {Range: 'bytes=0-99'}}).then((r) => r.status)",
                            player.get_attribute("src"))
    assert status == 206
    print(f"INVITE to ringing on the desk: {rang_after:.2f} s (Playwright polling included)")
    first.context.close()
    second.context.close()


def _wait_recording(client: httpx.Client) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        calls = client.get("/api/voice/calls", params={"active": "false"}).json()
        done = [c for c in calls if c["state"] == "ended" and c.get("recording")]
        if done:
            assert done[0]["end_reason"] == "operator_hung_up", done[0]
            return dict(done[0])
        time.sleep(0.3)
    raise AssertionError("the call's recording never appeared")


@pytest.mark.timeout(180)  # the module's server starts first (slow on a loaded machine)
def test_a_browser_without_a_microphone_says_so(browser: Browser, live_server: str) -> None:
    """No fake device and no permission (plain headless Chromium): the desk says why it cannot take calls."""
    page = browser.new_context().new_page()
    page.goto(live_server + "/")
    page.get_by_test_id("login-username").fill("op")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()
    page.evaluate("() => { history.pushState(null, '', '/alarms'); dispatchEvent(new PopStateEvent('popstate')); }")
    expect(page.get_by_test_id("voice-no-calls")).to_be_visible()
    state = page.get_by_test_id("voice-mic-state")
    expect(state).to_have_attribute("data-state", "unknown")
    page.get_by_test_id("voice-mic-check").click()
    expect(state).to_have_attribute("data-state", re.compile("^(denied|none)$"), timeout=10_000)
    expect(state).not_to_contain_text("voice.")  # a translated sentence, not a missing key
    page.context.close()


@pytest.mark.timeout(300)  # the module fixture may be set up for this test (see the first)
def test_a_102_call_from_the_simulator_prefills_the_intake_with_the_number_and_place(
        voice_server: VoiceServer, fake_mic_browser: Browser) -> None:
    """The live model's 102 caller (SIP to the trunk, PIDF-LO place, a spoken Russian phrase) on the desk."""
    desk = _desk(fake_mic_browser, voice_server.base, "op")
    results: list[CallResult] = []
    caller = threading.Thread(target=lambda: results.append(asyncio.run(place_call(
        "127.0.0.1", voice_server.trunk_port, user="+77011234567", target="102", hold_s=40, timeout_s=10,
        phrase="102-ru-1", location=(53.0115, 51.1739)))))
    caller.start()
    try:
        row = _row(desk, "offered")
        expect(row).to_have_count(1, timeout=15_000)
        expect(row).to_contain_text("+77011234567")  # an operator may answer: the number is not masked
        row.get_by_test_id("voice-answer").click()
        expect(desk.get_by_test_id("voice-line-state")).to_have_attribute("data-state", "talking", timeout=20_000)
        # The caller speaks: loud, in the voice band, not one tone.
        peaks = [p for p in heard_in_page(desk, 3000) if p[1] > -70]
        assert len(peaks) >= 5 and all(80 < hz < 3500 for hz, _ in peaks), peaks
        assert len({round(hz / 50) for hz, _ in peaks}) >= 3, peaks
        desk.get_by_test_id("voice-create-incident").click()
        expect(desk.get_by_test_id("intake-caller-phone")).to_have_value("+77011234567")
        expect(desk.get_by_test_id("intake-call-location")).to_contain_text("51.17390, 53.01150")
        desk.keyboard.press("Escape")
        desk.get_by_test_id("voice-hangup").click()
        caller.join(timeout=15)
    finally:
        caller.join(timeout=45)
    assert results and results[0].remote_bye and results[0].rtp_sent > 50, results
    assert results[0].rtp_received > 20  # the operator's microphone reached the caller
    desk.context.close()
