"""Rows written without models (`qorgau.ingest.rows`) read back as the events the models would have written."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.core.bus import Context
from qorgau.core.bus.outbox import batch_row, publish_rows
from qorgau.core.bus.types import new_event
from qorgau.core.db import Database
from qorgau.ingest.adapters.sia_dc09 import mapping, retransmission
from qorgau.ingest.directory import DeviceRef
from qorgau.ingest.events import PANEL_EVENT, PanelEvent
from qorgau.ingest.rows import Clock, event_row, sqlite_time
from qorgau.protocols.dc09 import render
from qorgau.protocols.dc09.parser import ExtendedData, Frame, parse_envelope, parse_frame
from tests.ingest.conftest import stored
from tests.protocols.dc09.strategies import DATA_ALPHABET, extended_blocks

DEVICE = DeviceRef(id=7, code="PNL-0007", kind="alarm_panel", site_code="SCH-12", lon=53.0, lat=51.17,
                   lifecycle="commissioned", supervision_interval_s=300,
                   zones=MappingProxyType({1: ("panic", "Вахта"), 15: ("door", "Кіреберіс \"главный\"")}))
NOW = datetime(2026, 11, 25, 6, 25, 16, 123456, tzinfo=UTC)
DATA = st.one_of(
    st.sampled_from(["#1234|NPA001", "Nri1/PA015", "NBA015/BR015", "#12|Nid3/OP", "1130 01 015", "3401 02 007",
                     "#1234|1602 00 000", "garbage", "N", ""]),
    st.text(DATA_ALPHABET, max_size=40),
)


def frame(data: str, mtype: str, extended: tuple[ExtendedData, ...]) -> Frame:
    return Frame(message_type=mtype, sequence=42, prefix="1", receiver="1", account="1234", data=data,
                 extended=extended, timestamp=NOW.replace(tzinfo=None, microsecond=0))


@settings(max_examples=300, deadline=None)
@given(data=DATA, mtype=st.sampled_from(["SIA-DCS", "ADM-CID"]), extended=extended_blocks)
def test_payload_values_are_what_the_model_holds(data: str, mtype: str, extended: tuple[ExtendedData, ...]) -> None:
    values = mapping.payload_values(frame(data, mtype, extended), DEVICE, at=NOW)
    assert values
    for item in values:
        model = PanelEvent.model_validate(item)
        assert model.model_dump() == {**item, "kind": model.kind, "location": item["location"]}
        row = event_row("sqlite", PANEL_EVENT, subject_id=DEVICE.code, payload=item, actor="device:PNL-0007",
                        simulated=True, now=NOW)
        assert isinstance(row, tuple)
        ctx = Context(actor="device:PNL-0007", correlation_id=Context.model_validate_json(str(row[8])).correlation_id,
                      simulated=True)
        expected = batch_row("sqlite", new_event(PANEL_EVENT, subject_id=DEVICE.code, payload=model, ctx=ctx,
                                                 occurred_at=NOW))
        assert isinstance(expected, tuple)
        assert row[1:5] == expected[1:5] and row[7:] == expected[7:]
        assert row[5] == row[6] == sqlite_time(NOW)


def test_rows_read_back_through_the_orm(db: Database) -> None:
    dialect = db.engine.dialect.name
    payload = mapping.payload_values(frame("#1234|NPA015", "SIA-DCS", (ExtendedData("X", "E53.03"),
                                                                        ExtendedData("Y", "N51.17"))), DEVICE, at=NOW)
    with db.unit_of_work() as session:
        publish_rows(session, [event_row(dialect, PANEL_EVENT, subject_id=DEVICE.code, payload=payload[0],
                                         actor="device:PNL-0007", simulated=False, now=NOW)])
    (row,) = stored(db, PANEL_EVENT.name)
    assert PanelEvent.model_validate(row.payload) == PanelEvent.model_validate(payload[0])
    assert row.payload["location"] == {"lon": 53.03, "lat": 51.17}
    assert row.payload["zone_name"] == "Кіреберіс \"главный\""
    assert Context.model_validate(row.context).actor == "device:PNL-0007"
    assert row.occurred_at.replace(tzinfo=UTC) == NOW == row.recorded_at.replace(tzinfo=UTC)
    assert row.id.version == 7


def test_clock_text_is_sqlite_time() -> None:
    clock = Clock()
    for _ in range(1000):
        moment, text = clock.now()
        assert moment.tzinfo is UTC and text == sqlite_time(moment)


def test_ack_from_the_address_as_sent_is_the_rendered_ack() -> None:
    for raw in (b'"SIA-DCS"0042R1L1#1234[#1234|NPA015]', b'"ADM-CID"9999L0#ABC[1130 01 015]',
                b'"NULL"0001R12L7[]'):
        sent = render.wrap(raw.decode() + "_06:25:16,11-25-2026")
        parsed = parse_frame(sent)
        envelope = parse_envelope(sent)
        assert render.ack_address(envelope.address, NOW) == render.ack(parsed, now=NOW)


def _digest(data: str, extended: tuple[ExtendedData, ...] = ()) -> retransmission.Fingerprint:
    return retransmission.fingerprint(mapping.payload_values(frame(data, "SIA-DCS", extended), DEVICE, at=NOW))


def test_retransmission_fingerprint_is_the_content() -> None:
    assert _digest("#1234|NPA015") == _digest("#1234|NPA015")
    assert _digest("#1234|NPA015") != _digest("#1234|NPA016")
    assert _digest("#1234|NPA015") != _digest("#1234|NPA015", (ExtendedData("I", "door"),))


def test_retransmission_fingerprint_reads_back_from_the_stored_payloads(db: Database) -> None:
    """The window is rebuilt after a restart from what was stored: the same fingerprint as the live one."""
    dialect = db.engine.dialect.name
    payloads = mapping.payload_values(frame("#1234|Nri1/PA015/BA002", "SIA-DCS", (ExtendedData("I", "a"),)), DEVICE,
                                      at=NOW)
    with db.unit_of_work() as session:
        publish_rows(session, [event_row(dialect, PANEL_EVENT, subject_id=DEVICE.code, payload=p, actor="device:x",
                                         simulated=False, now=NOW) for p in payloads])
    with db.reading() as session:
        recent = retransmission.recent_panel_events(session, 10**9)
    assert retransmission.fingerprint([payload for _, payload in recent]) == retransmission.fingerprint(payloads)
