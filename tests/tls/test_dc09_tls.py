"""DC-09 inside TLS: a TLS listener beside the plain one, ACK after commit as on plain TCP."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import pytest

from qorgau.core.aio import within
from qorgau.core.db import Database
from qorgau.core.errors import ConfigError
from qorgau.protocols.dc09.parser import parse_frame
from qorgau.settings import Settings, load_settings
from tests.conftest import run_async
from tests.ingest.adapters.sia_dc09.test_adapter import frame
from tests.ingest.conftest import add_panel, running_ingest, stored
from tests.tls.certs import make_authority


def test_panel_over_tls_is_acknowledged_after_commit(settings: Settings, db: Database, tmp_path: Path) -> None:
    authority = make_authority(tmp_path / "pki")
    add_panel(db)
    trusted = ssl.create_default_context(cafile=str(authority.ca))

    async def main() -> None:
        async with running_ingest(settings, db, dc09_tls_port=0, tls_cert_file=authority.server.cert,
                                  tls_key_file=authority.server.key) as runner:
            adapter = runner.adapters["sia_dc09"]
            port = adapter.tls_port  # type: ignore[attr-defined]
            assert port and port != adapter.tcp_port  # type: ignore[attr-defined]
            reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=trusted,
                                                           server_hostname="127.0.0.1")
            writer.write(frame(7, "#1234|Nri1/PA001"))
            await writer.drain()
            await within(reader.readuntil(b"\n"), 10)
            ack = parse_frame(b"\n" + await within(reader.readuntil(b"\r"), 10))
            assert (ack.message_type, ack.sequence, ack.account) == ("ACK", 7, "1234")
            assert len(stored(db, "ingest.panel_event")) == 1  # acknowledged, so committed
            writer.close()
            with pytest.raises(ssl.SSLError):  # a client that does not trust the receiver's certificate
                await asyncio.open_connection("127.0.0.1", port, ssl=ssl.create_default_context(),
                                              server_hostname="127.0.0.1")
            await _plain_bytes_get_no_answer(port)

    run_async(main())
    assert stored(db, "ingest.panel_event")[0].payload["kind"] == "panic"


async def _plain_bytes_get_no_answer(port: int) -> None:
    """A panel speaking plain DC-09 to the TLS port is not understood (and not answered with an ACK)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(frame(8, "#1234|Nri1/PA001"))
    await writer.drain()
    try:
        answer = await within(reader.read(100), 5)
    except (TimeoutError, ConnectionError):
        answer = b""
    assert b"ACK" not in answer
    writer.close()


def test_tls_port_needs_a_certificate(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="dc09_tls_port needs a certificate"):
        load_settings(data_dir=tmp_path, dc09_tls_port=12301)
