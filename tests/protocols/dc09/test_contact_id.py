"""Contact ID (SIA DC-05): ADM-CID data, the 16-digit form and its checksum, the code table."""

from __future__ import annotations

from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.protocols.dc09 import contact_id
from qorgau.protocols.dc09.codes import Kind
from qorgau.protocols.dc09.contact_id import ContactIdEvent, Qualifier
from qorgau.protocols.dc09.parser import REASONS, FrameError, parse_frame
from tests.protocols.dc09.strategies import reason_of


def test_readme_vector_120_panic() -> None:
    frame = parse_frame(b'\nDD27003B"ADM-CID"0003L0#1234[#1234|1120 01 015]_12:00:00,01-15-2026\r')
    assert contact_id.decode_dc09(frame.data) == ContactIdEvent(
        code="120",
        kind=Kind.PANIC,
        qualifier=Qualifier.NEW,
        restore=False,
        group="01",
        zone="015",
        user=None,
        account="1234",
    )


def test_readme_vector_122_silent_panic() -> None:
    frame = parse_frame(b'\n5BA1003B"ADM-CID"0004L0#1234[#1234|1122 01 015]_12:00:00,01-15-2026\r')
    event = contact_id.decode_dc09(frame.data)
    assert (event.code, event.kind, event.zone) == ("122", Kind.SILENT_PANIC, "015")


@pytest.mark.parametrize(
    ("digits", "code", "kind", "qualifier", "zone", "user"),
    [
        ("123418112001015F", "120", Kind.PANIC, Qualifier.NEW, "015", None),
        ("123418312001015D", "120", Kind.PANIC, Qualifier.RESTORE, "015", None),
        ("1234181121010159", "121", Kind.DURESS, Qualifier.NEW, None, "015"),
        ("1234181602000002", "602", Kind.TEST, Qualifier.NEW, "000", None),
    ],
)
def test_readme_dc05_valid_messages(
    digits: str, code: str, kind: Kind, qualifier: Qualifier, zone: str | None, user: str | None
) -> None:
    assert contact_id.checksum_ok(digits)
    assert contact_id.check_digit(digits[:15]) == digits[15]
    event = contact_id.decode_dc05(digits)
    assert (event.code, event.kind, event.qualifier, event.zone, event.user) == (code, kind, qualifier, zone, user)
    assert (event.account, event.group) == ("1234", digits[10:12])
    assert event.restore is (qualifier is Qualifier.RESTORE)


def test_readme_dc05_invalid_message() -> None:
    assert not contact_id.checksum_ok("1234567890ABCDEF")
    with pytest.raises(FrameError) as caught:
        contact_id.decode_dc05("1234567890ABCDEF")
    assert caught.value.reason == "bad_payload"


def test_check_digit_zero_is_sent_as_f() -> None:
    assert contact_id.check_digit("123418112001015") == "F"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("110", Kind.FIRE),
        ("120", Kind.PANIC),
        ("121", Kind.DURESS),
        ("122", Kind.SILENT_PANIC),
        ("123", Kind.PANIC),
        ("130", Kind.BURGLARY),
        ("131", Kind.BURGLARY),
        ("137", Kind.TAMPER),
        ("144", Kind.TAMPER),
        ("383", Kind.TAMPER),
        ("301", Kind.AC_LOSS),
        ("302", Kind.LOW_BATTERY),
        ("401", Kind.OPEN),
        ("421", Kind.ACCESS_DENIED),
        ("422", Kind.ACCESS_GRANTED),
        ("423", Kind.ACCESS_FORCED),
        ("424", Kind.ACCESS_DENIED),
        ("425", Kind.ACCESS_GRANTED),
        ("601", Kind.TEST),
        ("602", Kind.TEST),
        ("100", Kind.UNKNOWN),
        ("101", Kind.UNKNOWN),
        ("350", Kind.UNKNOWN),
        ("354", Kind.UNKNOWN),
        ("426", Kind.UNKNOWN),
        ("570", Kind.UNKNOWN),
        ("999", Kind.UNKNOWN),
    ],
)
def test_code_table(code: str, kind: Kind) -> None:
    event = contact_id.decode_dc09(f"#1|1{code} 01 001")
    assert (event.code, event.kind) == (code, kind)


def test_open_close_by_user_follows_the_qualifier() -> None:
    opening = contact_id.decode_dc09("#1|1401 02 007")
    closing = contact_id.decode_dc09("#1|3401 02 007")
    assert (opening.kind, opening.user, opening.zone) == (Kind.OPEN, "007", None)
    assert (closing.kind, closing.restore, closing.user) == (Kind.CLOSE, False, "007")


def test_status_qualifier_and_audible_panic_are_not_invalid() -> None:
    event = contact_id.decode_dc09("#1|6123 01 003")
    assert (event.kind, event.qualifier, event.restore) == (Kind.PANIC, Qualifier.STATUS, False)


def test_restore_of_an_unknown_code_is_kept() -> None:
    event = contact_id.decode_dc09("3570 01 004")
    assert (event.code, event.kind, event.restore, event.account) == ("570", Kind.UNKNOWN, True, None)


@pytest.mark.parametrize("data", ["", "#1|1120 01", "#1|2120 01 015", "#1|1120-01-015", "1120 01 015 x"])
def test_bad_payloads(data: str) -> None:
    with pytest.raises(FrameError) as caught:
        contact_id.decode_dc09(data)
    assert caught.value.reason == "bad_payload"


@settings(max_examples=200)
@given(st.text("0123456789ABCDEF", min_size=15, max_size=15))
def test_check_digit_always_validates(digits15: str) -> None:
    assert contact_id.checksum_ok(digits15 + contact_id.check_digit(digits15))


@settings(max_examples=200)
@given(st.text(max_size=40))
def test_decoders_raise_only_frame_error(data: str) -> None:
    for decoder in (contact_id.decode_dc09, contact_id.decode_dc05):
        assert reason_of(partial(decoder, data)) in (None, *REASONS)
