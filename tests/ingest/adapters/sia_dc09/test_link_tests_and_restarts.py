"""Issue 16's interoperability over real sockets: encrypted link tests without data, and the retransmission
window across a restart of the receiver."""

from __future__ import annotations

from datetime import UTC, datetime

from qorgau.core.db import Database
from qorgau.ingest.runner import IngestRunner
from qorgau.protocols.dc09 import crypto
from qorgau.protocols.dc09.parser import format_timestamp
from qorgau.protocols.dc09.render import wrap
from qorgau.settings import Settings
from tests.conftest import run_async
from tests.ingest.adapters.sia_dc09.test_adapter import KEY, PANEL, Panel, _scenario, frame
from tests.ingest.conftest import add_panel, rejected, running_ingest, stored


def test_encrypted_link_test_without_data_is_acknowledged(settings: Settings, db: Database) -> None:
    """As some panels send it: the pad straight followed by `]` and the timestamp (no `|`, no data)."""
    add_panel(db, key=KEY)
    stamp = format_timestamp(datetime.now(UTC).replace(tzinfo=None))
    plaintext = ("Qz7#k2Lm9$Xw4&Rt"[: 16 - (len(stamp) + 1) % 16] + "]" + stamp).encode()
    cipher = crypto.encrypt(plaintext, bytes.fromhex(KEY)).hex().upper()

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        await panel.send(wrap(f'"*NULL"0009R1L1#1234[{cipher}'))
        ack = await panel.response(key=KEY)
        assert (ack.message_type, ack.encrypted, ack.sequence) == ("ACK", True, 9)
        assert rejected(runner, "sia_dc09", "decrypt_failed") == 0
        await panel.close()

    _scenario(settings, db, body)


def test_retransmission_after_a_restart_of_the_receiver_is_recorded_once(settings: Settings, db: Database) -> None:
    """The ACK was lost in the restart, the panel sends the frame again: the new receiver knows it."""
    add_panel(db)

    async def main() -> None:
        async with running_ingest(settings, db) as runner:
            panel = await Panel.connect(runner)
            await panel.send(frame(17, "#1234|NBA004"))
            assert (await panel.response()).sequence == 17
            await panel.close()
        async with running_ingest(settings, db) as runner:
            panel = await Panel.connect(runner)
            await panel.send(frame(17, "#1234|NBA004"))
            assert (await panel.response()).message_type == "ACK"
            await panel.send(frame(17, "#1234|NBA005"))  # the same sequence with other content: a new message
            assert (await panel.response()).message_type == "ACK"
            assert runner.hub.metrics.value("qorgau_ingest_received_total", adapter="sia_dc09",
                                            outcome="retransmission") == 1
            await panel.close()
        assert [e.payload["zone"] for e in stored(db, PANEL)] == ["004", "005"]

    run_async(main())
