"""HTTPS served by `qorgau serve` itself, and Secure session cookies whenever the server is not plain loopback."""

from __future__ import annotations

import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from qorgau.core.errors import ConfigError
from qorgau.core.processes import stop_process
from qorgau.runtime.server import create_app
from qorgau.settings import Settings, load_settings
from tests.conftest import PASSWORD, ROOT, make_user
from tests.server import QORGAU, cli_env, free_port, run_cli
from tests.tls.certs import make_authority


def _wait_https(process: subprocess.Popen[bytes], url: str, context: ssl.SSLContext, log: Path) -> None:
    deadline = time.monotonic() + 150
    while True:
        assert process.poll() is None, log.read_text(errors="replace")[-2000:]
        try:
            if httpx.get(url, verify=context, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
        time.sleep(0.2)


@pytest.mark.timeout(240)  # `qorgau serve` starts in seconds, but a loaded CI machine has taken a minute
def test_serve_speaks_https_with_the_configured_certificate(sqlite_template: Path, tmp_path: Path) -> None:
    authority = make_authority(tmp_path / "pki")
    data = tmp_path / "var"
    data.mkdir()
    (data / "qorgau.db").write_bytes(sqlite_template.read_bytes())
    env = cli_env(data, f"sqlite:///{data / 'qorgau.db'}", QORGAU_TLS_CERT_FILE=str(authority.server.cert),
                  QORGAU_TLS_KEY_FILE=str(authority.server.key))
    added = run_cli(env, "user", "add", "chief", "--role", "admin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([QORGAU, "serve", "--port", str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=ROOT)
    trusted = ssl.create_default_context(cafile=str(authority.ca))
    try:
        _wait_https(process, f"https://127.0.0.1:{port}/readyz", trusted, log)
        with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=trusted, timeout=10) as client:
            response = client.post("/api/auth/login", json={"username": "chief", "password": PASSWORD})
            assert response.status_code == 200, response.text
            cookie = response.headers["set-cookie"].lower()
            assert "secure" in cookie and "httponly" in cookie  # served over TLS: Secure even on loopback
        with pytest.raises(httpx.ConnectError):  # a client that does not trust the CA is refused
            httpx.get(f"https://127.0.0.1:{port}/readyz", verify=ssl.create_default_context(), timeout=5)
        with pytest.raises(httpx.HTTPError):  # plain HTTP is not served on the TLS port
            httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
    finally:
        stop_process(process, 20)


@pytest.mark.parametrize(("host", "secure"), [("127.0.0.1", False), ("localhost", False), ("::1", False),
                                              ("0.0.0.0", True), ("10.1.2.3", True), ("ocu.example.kz", True)])  # noqa: S104
def test_cookies_are_secure_unless_plain_http_on_loopback(tmp_path: Path, host: str, secure: bool) -> None:
    assert Settings(data_dir=tmp_path, host=host).secure_cookies is secure
    assert Settings(data_dir=tmp_path, host=host, cookie_secure=True).secure_cookies


def test_a_certificate_needs_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QORGAU_TLS_CERT_FILE", str(tmp_path / "server.crt"))
    with pytest.raises(ConfigError, match="tls_cert_file and tls_key_file go together"):
        load_settings(data_dir=tmp_path)


def test_login_on_a_network_address_sets_a_secure_cookie(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"host": "0.0.0.0"}))  # noqa: S104
    with TestClient(app, base_url="https://testserver") as client:
        make_user(app.state.runtime.db, "chief", "admin")
        response = client.post("/api/auth/login", json={"username": "chief", "password": PASSWORD})
        assert response.status_code == 200, response.text
        assert "secure" in response.headers["set-cookie"].lower()
