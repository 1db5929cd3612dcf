"""SIA DC-03 (SIA-DCS) payloads decoded into typed events."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.protocols.dc09 import sia
from qorgau.protocols.dc09.codes import SIA_CODES, Kind, sia_code
from qorgau.protocols.dc09.parser import REASONS, FrameError, parse_frame
from tests.protocols.dc09.strategies import reason_of


def test_readme_vector_panic_area_1_zone_15() -> None:
    frame = parse_frame(b'\nE5EB003A"SIA-DCS"0002L0#1234[#1234|Nri1/PA015]_12:00:00,01-15-2026\r')
    (event,) = sia.decode(frame.data)
    assert event == sia.SiaEvent(code="PA", kind=Kind.PANIC, restore=False, zone="015", area="1", account="1234")


def test_several_events_with_time_user_and_area() -> None:
    events = sia.decode("#1234|Nti12:30/id7/ri1/PA015/BA002/ri2/OP3")
    assert [(e.code, e.kind, e.area, e.zone, e.user) for e in events] == [
        ("PA", Kind.PANIC, "1", "015", "7"),
        ("BA", Kind.BURGLARY, "1", "002", "7"),
        ("OP", Kind.OPEN, "2", None, "3"),
    ]
    assert {e.time for e in events} == {time(12, 30)}


@pytest.mark.parametrize(
    ("code", "kind", "restore"),
    [
        ("PA", Kind.PANIC, False),
        ("HA", Kind.DURESS, False),
        ("BA", Kind.BURGLARY, False),
        ("TA", Kind.TAMPER, False),
        ("FA", Kind.FIRE, False),
        ("AT", Kind.AC_LOSS, False),
        ("AR", Kind.AC_LOSS, True),
        ("YT", Kind.LOW_BATTERY, False),
        ("YR", Kind.LOW_BATTERY, True),
        ("RP", Kind.TEST, False),
        ("DG", Kind.ACCESS_GRANTED, False),
        ("DD", Kind.ACCESS_DENIED, False),
        ("DF", Kind.ACCESS_FORCED, False),
        ("OP", Kind.OPEN, False),
        ("CL", Kind.CLOSE, False),
        ("YC", Kind.UNKNOWN, False),
        ("YK", Kind.UNKNOWN, False),
    ],
)
def test_code_table(code: str, kind: Kind, restore: bool) -> None:
    (event,) = sia.decode(f"#1|N{code}1")
    assert (event.code, event.kind, event.restore) == (code, kind, restore)


def test_unknown_codes_are_kept_raw() -> None:
    (event,) = sia.decode("#99|NQZ042")
    assert (event.code, event.kind, event.zone) == ("QZ", Kind.UNKNOWN, "042")


def test_without_account_and_without_zone() -> None:
    (event,) = sia.decode("NRP")
    assert (event.code, event.kind, event.zone, event.account) == ("RP", Kind.TEST, None, None)


def test_other_modifiers_and_empty_fields_are_skipped() -> None:
    (event,) = sia.decode("#1|Npi3//ri 4/FA9/")
    assert (event.code, event.area, event.zone) == ("FA", "4", "9")


@pytest.mark.parametrize("data", ["", "#1234|", "#1234|X", "#1234|Nri1", "#1|Nti25:00/PA1", "#1|N1234", "#1|NPA1!"])
def test_bad_payloads(data: str) -> None:
    with pytest.raises(FrameError) as caught:
        sia.decode(data)
    assert caught.value.reason == "bad_payload"


def test_every_table_code_is_two_letters() -> None:
    assert all(len(code) == 2 and code.isupper() for code in SIA_CODES)
    assert sia_code("??").kind is Kind.UNKNOWN


@settings(max_examples=200)
@given(st.text(max_size=60))
def test_decode_raises_only_frame_error(data: str) -> None:
    assert reason_of(lambda: sia.decode(data)) in (None, *REASONS)
