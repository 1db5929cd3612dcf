"""The simulated cameras' RTSP server as a child process: start it, wait for its port, inject faults, stop it.

The server itself (``rtsp_server.py`` beside this file) runs under Debian's own Python, which has GStreamer's
bindings; this side only speaks its line protocol over the child's stdin and stdout.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

GST_PYTHON = Path("/usr/bin/python3")  # absolute: "python3" may be a pyenv shim without gi
SCRIPT = Path(__file__).with_name("rtsp_server.py")
CLIPS = Path(__file__).with_name("clips")
Stream = Literal["main", "sub"]


class RtspServerError(RuntimeError):
    """The RTSP server could not start or did not answer."""


@dataclass(frozen=True)
class CameraLogin:
    """One simulated camera's credentials, main-stream codec, and own clip family (None: chosen by its code)."""

    user: str
    password: str = field(repr=False)
    codec: Literal["h264", "h265"] = "h264"
    clip: str | None = None


def available() -> bool:
    """Whether Debian's Python with GStreamer's RTSP server bindings is installed here."""
    if not GST_PYTHON.exists():
        return False
    probe = "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"
    result = subprocess.run([GST_PYTHON, "-c", probe], capture_output=True, check=False)  # noqa: S603 - fixed argv
    return result.returncode == 0


def _word(value: str, what: str) -> str:
    if not value or any(ch.isspace() for ch in value):
        raise ValueError(f"{what} must be one word without whitespace")
    return value


class RtspServer:
    """A running RTSP server child process serving every camera given to it (and any added later)."""

    def __init__(self, *, log: Path | None = None, port: int = 0, host: str = "127.0.0.1") -> None:
        self.log, self.requested_port, self.host = log, port, host
        self.port = 0
        self.process: subprocess.Popen[str] | None = None
        self.logins: dict[str, CameraLogin] = {}
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._lock = threading.Lock()
        self._log_file: IO[str] | None = None
        self._stopped = False  # stop() was called: a start still under way in another thread gives up

    def start(self, cameras: Mapping[str, CameraLogin] | None = None, *, timeout_s: float = 15.0) -> None:
        """Start the child, wait for its ready line, then add the cameras.

        The child exits when its stdin closes, i.e. when this process ends however it ends; started from the main
        thread it also asks the kernel for a signal at this process's death (PR_SET_PDEATHSIG follows the thread
        that started the child, so it is not used from a worker thread that may end first).
        """
        self._stopped = False
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        self._log_file = open(self.log, "a") if self.log else None  # noqa: SIM115 - closed in stop()
        main_thread = threading.current_thread() is threading.main_thread()
        self.process = subprocess.Popen(  # noqa: S603 - our own script, fixed argv
            [str(GST_PYTHON), str(SCRIPT), "--clips", str(CLIPS), "--host", self.host,
             "--port", str(self.requested_port), *(["--die-with-parent"] if main_thread else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._log_file if self._log_file else subprocess.DEVNULL, text=True, bufsize=1, env=env)
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        ready = self._next(timeout_s)
        if self._stopped:
            self.stop()
            raise RtspServerError("the RTSP server was stopped while it started")
        if not ready.startswith("READY port="):
            self.stop()
            raise RtspServerError(f"the RTSP server did not start: {ready!r}")
        self.port = int(ready.removeprefix("READY port="))
        for code, login in (cameras or {}).items():
            self.add(code, login)

    def _read(self, stdout: IO[str] | None) -> None:
        for line in stdout or ():
            self._lines.put(line.strip())
        self._lines.put(None)

    def _next(self, timeout_s: float) -> str:
        try:
            line = self._lines.get(timeout=timeout_s)
        except queue.Empty:
            raise RtspServerError("the RTSP server did not answer in time") from None
        if line is None:
            raise RtspServerError("the RTSP server exited")
        return line

    def command(self, line: str, *, timeout_s: float = 10.0) -> str:
        """Send one control command and return the server's answer (``ok ...``); an ``error`` answer raises."""
        with self._lock:
            if self.process is None or self.process.stdin is None:
                raise RtspServerError("the RTSP server is not running")
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
            answer = self._next(timeout_s)
        if not answer.startswith("ok"):
            raise RtspServerError(f"the RTSP server refused {line.split()[0]!r}: {answer}")
        return answer

    def add(self, code: str, login: CameraLogin) -> None:
        """Make a camera addressable with its credentials."""
        self.command(f"add {_word(code, 'code')} {_word(login.user, 'user')} {_word(login.password, 'password')} "
                     f"{login.codec}" + (f" {_word(login.clip, 'clip')}" if login.clip else ""))
        self.logins[code] = login

    def url(self, code: str, stream: Stream = "main", *, credentials: bool = False) -> str:
        """The camera's stream URL; with ``credentials`` the user and password are in it."""
        userinfo = ""
        if credentials:
            login = self.logins[code]
            userinfo = f"{login.user}:{login.password}@"
        return f"rtsp://{userinfo}{self.host}:{self.port}/{code}/{stream}"

    def drop(self, code: str, seconds: float) -> None:
        """Disconnect the camera's clients now and refuse it (RTSP 404) for ``seconds``."""
        self.command(f"drop {code} {seconds:g}")

    def set_password(self, code: str, password: str) -> None:
        """The camera's password changes: the old one gets 401, open sessions are closed."""
        self.command(f"password {code} {_word(password, 'password')}")

    def freeze(self, code: str) -> None:
        """Sessions stay open, no more frames."""
        self.command(f"freeze {code}")

    def play(self, code: str, clip: str) -> None:
        """Serve another clip family to the camera (a scenario's scene, e.g. ``scene-covered``); its clients are
        cut and reconnect to the new picture."""
        self.command(f"play {code} {_word(clip, 'clip')}")

    def restore(self, code: str) -> None:
        """Undo drop, password change, freeze and play."""
        self.command(f"restore {code}")

    def fault(self, kind: Literal["drop", "password", "freeze", "restore"], code: str, *args: str | float) -> None:
        """Inject a fault by name, e.g. ``fault("drop", code, 5)`` or ``fault("password", code, "new")``."""
        self.command(" ".join([kind, code, *(f"{a:g}" if isinstance(a, float) else str(a) for a in args)]))

    def clients(self, code: str) -> int:
        """How many RTSP clients are playing the camera now."""
        return int(self.command(f"clients {code}").split()[-1])

    @property
    def pid(self) -> int:
        """The child's process id."""
        if self.process is None:
            raise RtspServerError("the RTSP server is not running")
        return self.process.pid

    def stop(self, timeout_s: float = 5.0) -> None:
        """Close the child's stdin (it exits on EOF); terminate it if it lingers."""
        self._stopped = True
        process, self.process = self.process, None
        if process is not None:
            if process.stdin is not None:
                with contextlib.suppress(OSError):  # already gone
                    process.stdin.close()
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(timeout_s)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


@contextmanager
def running(cameras: Mapping[str, CameraLogin], *, log: Path | None = None, port: int = 0,
            timeout_s: float = 15.0) -> Iterator[RtspServer]:
    """An RTSP server for these cameras for the duration of the block."""
    server = RtspServer(log=log, port=port)
    deadline = time.monotonic() + timeout_s
    try:
        server.start(cameras, timeout_s=max(1.0, deadline - time.monotonic()))
        yield server
    finally:
        server.stop()
