"""The DC-09 receiver under abuse (issue 20), over real sockets: trickled junk, stale timestamps, UDP floods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from qorgau.core.db import Database
from qorgau.ingest.runner import IngestRunner
from qorgau.settings import Settings
from tests.ingest.adapters.sia_dc09.test_adapter import PANEL, Panel, _scenario, frame
from tests.ingest.conftest import add_panel, rejected, stored


def test_unencrypted_frames_with_a_timestamp_outside_the_window_get_nak(settings: Settings, db: Database) -> None:
    add_panel(db)
    add_panel(db, "PNL-0002", "5678", dc09_local_time=True)
    zone = ZoneInfo(settings.time_zone)

    async def body(runner: IngestRunner) -> None:
        panel = await Panel.connect(runner)
        await panel.send(frame(1, at=datetime(2000, 1, 1)))  # `_00:00:00,01-01-2000`, as the probe sent it
        nak = await panel.response()
        assert nak.message_type == "NAK" and nak.timestamp is not None
        late = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=90)
        await panel.send(frame(2, at=late))
        assert (await panel.response()).message_type == "NAK"
        assert stored(db, PANEL) == [] and rejected(runner, "sia_dc09", "outside_window") == 2
        await panel.send(frame(3, at=datetime.now(UTC).replace(tzinfo=None)))  # in the window: accepted
        assert (await panel.response()).message_type == "ACK"
        await panel.send(frame(4))  # no timestamp at all: accepted, as before
        assert (await panel.response()).message_type == "ACK"
        # A panel set to local time is judged in local time: its UTC-stamped frame is out, its local one in.
        utc_now = datetime.now(UTC).replace(tzinfo=None)
        local_now = datetime.now(zone).replace(tzinfo=None)
        assert abs((local_now - utc_now).total_seconds()) > 60  # the test zone is not UTC
        await panel.send(frame(5, "#5678|NPA001", account="5678", at=utc_now))
        assert (await panel.response()).message_type == "NAK"
        await panel.send(frame(6, "#5678|NPA001", account="5678", at=local_now))
        assert (await panel.response()).message_type == "ACK"
        assert [e.payload["sequence"] for e in stored(db, PANEL)] == [3, 4, 6]
        await panel.close()

    _scenario(settings, db, body)
