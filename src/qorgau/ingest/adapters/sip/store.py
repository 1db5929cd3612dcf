"""Writes call records (table sip_calls) in the background, in order, one call snapshot at a time."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import select

from qorgau.core.db import Database
from qorgau.core.workers import cancel_all
from qorgau.ingest.adapters.sip.dialogs import Call
from qorgau.ingest.adapters.sip.models import SipCall
from qorgau.ingest.adapters.sip.sdp import redact_keys

log = logging.getLogger(__name__)


def snapshot(call: Call) -> dict[str, Any]:
    """The call record's columns as they stand now."""
    offer = call.offer
    return {
        "call_id": call.call_id[:255], "device_code": call.device.code, "transport": call.peer.transport,
        "signal_host": call.peer.address[0][:64], "signal_port": call.peer.address[1], "state": str(call.state),
        "end_reason": call.end_reason, "started_at": call.started_at, "answered_at": call.answered_at,
        "ended_at": call.ended_at, "ring_s": call.ring_s, "talk_s": call.talk_s, "codec": call.codec_name,
        "payload_type": call.codec, "local_media_host": call.media_host, "local_media_port": call.media_port,
        "remote_media_host": offer.address[:64] if offer and offer.address else None,
        # SRTP master keys never reach the database: the stored SDP keeps the suite, not the key.
        "remote_media_port": offer.port if offer else None, "sdp_offer": redact_keys(call.sdp_offer),
        "sdp_answer": redact_keys(call.sdp_answer),
    }


class CallStore:
    """Queue of call snapshots written by one task; the signalling never waits for these writes."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sip-call-records")

    def save(self, call: Call) -> None:
        self._queue.put_nowait(snapshot(call))

    async def drain(self) -> None:
        """Wait until every queued snapshot is written."""
        await self._queue.join()

    async def stop(self) -> None:
        if self._task is None:
            return
        await self.drain()
        await cancel_all([self._task])
        self._task = None

    async def _run(self) -> None:
        while True:
            row = await self._queue.get()
            try:
                await asyncio.to_thread(self._write, row)
            except Exception:
                log.exception("SIP call record not written", extra={"device": row["device_code"]})
            finally:
                self._queue.task_done()

    def _write(self, row: dict[str, Any]) -> None:
        with self._db.unit_of_work() as session:
            record = session.scalar(select(SipCall).where(SipCall.device_code == row["device_code"],
                                                          SipCall.call_id == row["call_id"]))
            if record is None:
                session.add(SipCall(**row, media_state="none"))
            else:
                for name, value in row.items():
                    setattr(record, name, value)
