"""The nginx set-up of `docs/deploy-tls.md`, run as written: HTTPS at the proxy, plain HTTP to `qorgau serve`."""

from __future__ import annotations

import json
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from qorgau.core.processes import stop_process, wait_ready
from tests.conftest import PASSWORD, ROOT
from tests.server import QORGAU, cli_env, free_port, run_cli
from tests.tls.certs import make_authority

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DOC = ROOT / "docs" / "deploy-tls.md"

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(),
                                reason="nginx is not installed (Debian: apt-get install nginx-light)")


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[str]:
    """`qorgau serve` on a free port, given longer to start than tests.server allows (the machine is shared)."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen([QORGAU, "serve", "--port", str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_ready(process, f"http://127.0.0.1:{port}/readyz", log, "server", timeout_s=150)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process, 20)


def _nginx_conf(directory: Path, *, upstream: str, port: int, cert: Path, key: str) -> Path:
    """The documented server block with this test's addresses and files, inside a minimal nginx.conf."""
    (block,) = re.findall(r"```nginx\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    block = (block.replace("127.0.0.1:8000", upstream).replace("listen 443 ssl", f"listen 127.0.0.1:{port} ssl")
             .replace("/etc/qorgau/tls/fullchain.pem", str(cert)).replace("/etc/qorgau/tls/privkey.pem", key))
    conf = directory / "nginx.conf"
    conf.write_text(
        f"daemon off;\npid {directory}/nginx.pid;\nerror_log {directory}/error.log warn;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n access_log off;\n client_body_temp_path {directory}/body;\n"
        f" proxy_temp_path {directory}/proxy;\n fastcgi_temp_path {directory}/fcgi;\n"
        f" uwsgi_temp_path {directory}/uwsgi;\n scgi_temp_path {directory}/scgi;\n"
        f"{block}}}\n")
    return conf


@pytest.mark.timeout(240)  # `qorgau serve` starts in seconds, but a loaded CI machine has taken a minute
def test_documented_nginx_proxy_serves_https_and_the_origin_check_holds(sqlite_template: Path,
                                                                        tmp_path: Path) -> None:
    authority = make_authority(tmp_path / "pki")
    data = tmp_path / "var"
    data.mkdir()
    (data / "qorgau.db").write_bytes(sqlite_template.read_bytes())
    env = cli_env(data, f"sqlite:///{data / 'qorgau.db'}", QORGAU_TRUSTED_PROXIES="127.0.0.1")
    assert run_cli(env, "user", "add", "chief", "--role", "admin", stdin=PASSWORD + "\n").returncode == 0
    with serving(env, tmp_path / "serve.log") as base:
        proxy_port = free_port()
        conf = _nginx_conf(tmp_path, upstream=base.removeprefix("http://"), port=proxy_port,
                           cert=authority.server.cert, key=str(authority.server.key))
        nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.STDOUT)
        front = f"https://127.0.0.1:{proxy_port}"
        trusted = ssl.create_default_context(cafile=str(authority.ca))
        try:
            deadline = time.monotonic() + 20
            while True:
                assert nginx.poll() is None, (tmp_path / "error.log").read_text(errors="replace")
                try:
                    if httpx.get(f"{front}/readyz", verify=trusted, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "nginx did not come up"
                time.sleep(0.1)
            with httpx.Client(base_url=front, verify=trusted, timeout=10, headers={"Origin": front}) as browser:
                login = browser.post("/api/auth/login", json={"username": "chief", "password": PASSWORD})
                assert login.status_code == 200, login.text
                assert "secure" in login.headers["set-cookie"].lower()
                # The live feed through the proxy's WebSocket location, from the proxy's origin (wss://).
                cookie = f"qorgau_session={browser.cookies.get('qorgau_session')}"
                with connect(f"wss://127.0.0.1:{proxy_port}/api/events/ws", ssl=trusted, open_timeout=20,
                             additional_headers={"Cookie": cookie, "Origin": front}) as ws:
                    assert json.loads(ws.recv(timeout=20))["type"] == "hello"
                # A cookie write from the proxy's own origin passes the same-origin check (the scheme came through).
                out = browser.post("/api/auth/logout", headers={"X-CSRF-Token": login.json()["csrf_token"]})
                assert out.status_code == 204, out.text
        finally:
            stop_process(nginx, 10)
