"""An operator's desk for the HA tests: logged in, watching the live feed, noting when each panel event arrives."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

import httpx
from websockets.sync.client import connect

from tests.conftest import PASSWORD
from tests.server import run_cli

USER = "chief"


def add_user(env: dict[str, str]) -> None:
    assert run_cli(env, "user", "add", USER, "--role", "admin", stdin=PASSWORD + "\n").returncode == 0


def login(base: str) -> str | None:
    """The session cookie, or None when the server could not log in (its database away)."""
    try:
        with httpx.Client(base_url=base, timeout=5) as http:
            if http.post("/api/auth/login", json={"username": USER, "password": PASSWORD}).status_code != 200:
                return None
            return "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    except httpx.HTTPError:
        return None


@dataclass
class Desk:
    """Watches /api/events/ws in a thread; reconnects as the web app does when the feed drops."""

    base: str
    seen: list[float] = field(default_factory=list)  # monotonic times panel events arrived
    reconnects: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._watch, name="desk", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(20)

    def gap(self, since: float) -> float:
        """The longest time from `since` on without a panel event on the desk."""
        times = [at for at in self.seen if at >= since]
        return max((b - a for a, b in zip([since, *times], times, strict=False)), default=float("inf"))

    def _watch(self) -> None:
        while not self._stop.is_set():
            cookie = login(self.base)
            if cookie is None:
                time.sleep(0.5)
                continue
            try:
                with connect(self.base.replace("http", "ws") + "/api/events/ws",
                             additional_headers={"Cookie": cookie}, open_timeout=10) as ws:
                    while not self._stop.is_set():
                        try:
                            message = json.loads(ws.recv(timeout=1))
                        except TimeoutError:
                            continue
                        if message.get("type") == "event" and message["event"]["name"] == "ingest.panel_event":
                            self.seen.append(time.monotonic())
            except Exception:  # the feed dropped: reconnect, as a desk does
                self.reconnects += 1
                time.sleep(0.5)
