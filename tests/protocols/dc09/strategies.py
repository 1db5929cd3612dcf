"""Hypothesis strategies for DC-09 frames within the spec's alphabets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hypothesis import strategies as st

from qorgau.protocols.dc09.parser import ExtendedData, Frame, FrameError, Reason

HEX = "0123456789ABCDEF"
# Printable ASCII without the brackets that delimit data and extended data blocks.
DATA_ALPHABET = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in "[]")


def hex_text(low: int, high: int) -> st.SearchStrategy[str]:
    """Upper-case hex strings of low..high characters."""
    return st.text(HEX, min_size=low, max_size=high)


timestamps = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0)
)
extended_blocks = st.lists(
    st.builds(ExtendedData, kind=st.sampled_from("XYHIMVSABCZ"), value=st.text(DATA_ALPHABET, max_size=30)),
    max_size=3,
).map(tuple)


@st.composite
def frames(draw: st.DrawFn, *, encrypted: bool = False) -> Frame:
    """A frame that the renderer can write; encrypted ones always carry a timestamp."""
    types = ["SIA-DCS", "ADM-CID", "NULL", "ACK", "RSP"] + ([] if encrypted else ["DUH"])
    return Frame(
        message_type=draw(st.sampled_from(types)),
        sequence=draw(st.integers(1, 9999)),
        prefix=draw(hex_text(1, 6)),
        receiver=draw(st.none() | hex_text(1, 6)),
        account=draw(st.none() | hex_text(1, 16)),
        data=draw(st.text(DATA_ALPHABET, max_size=80)),
        extended=draw(extended_blocks),
        timestamp=draw(timestamps if encrypted else st.none() | timestamps),
        encrypted=encrypted,
        binary_crc=draw(st.booleans()),
    )


def reason_of(call: Callable[[], object]) -> Reason | None:
    """Run a decoder; return the FrameError's reason, or None if it succeeded (anything else propagates)."""
    try:
        call()
    except FrameError as exc:
        return exc.reason
    return None
