"""Contact ID (SIA DC-05): `QEEE GG ZZZ` inside ADM-CID frames and the 16-digit form with its checksum."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from qorgau.protocols.dc09.codes import Kind, cid_code
from qorgau.protocols.dc09.parser import FrameError


class Qualifier(StrEnum):
    """Contact ID event qualifier."""

    NEW = "new"  # 1: new event or opening
    RESTORE = "restore"  # 3: restore or closing
    STATUS = "status"  # 6: previously reported condition still present


_QUALIFIERS = {"1": Qualifier.NEW, "3": Qualifier.RESTORE, "6": Qualifier.STATUS}
_EVENT = r"(?P<q>[0-9])(?P<code>[0-9A-F]{3})"
_DC09 = re.compile(rf"(?:#(?P<acct>[0-9A-F]{{1,16}})\|)?{_EVENT} (?P<group>[0-9A-F]{{2}}) (?P<zone>[0-9A-F]{{3}})")
_DC05 = re.compile(rf"(?P<acct>[0-9A-F]{{4}})(?:18|98){_EVENT}(?P<group>[0-9A-F]{{2}})(?P<zone>[0-9A-F]{{3}})[0-9A-F]")


@dataclass(frozen=True, slots=True)
class ContactIdEvent:
    """One Contact ID event; `code` is kept raw so unknown codes are never lost."""

    code: str
    kind: Kind
    qualifier: Qualifier
    restore: bool
    group: str
    zone: str | None
    user: str | None
    account: str | None = None


def _digit_value(char: str) -> int:
    # DC-05 counts a 0 digit as 10.
    value = int(char, 16)
    return 10 if value == 0 else value


def checksum_ok(digits: str) -> bool:
    """Whether 16 Contact ID digits sum (0 counted as 10) to a multiple of 15."""
    return len(digits) == 16 and sum(_digit_value(c) for c in digits) % 15 == 0


def check_digit(digits15: str) -> str:
    """The 16th digit that makes a 15-digit Contact ID message valid (0 is sent as F, 10 as 0)."""
    need = -sum(_digit_value(c) for c in digits15) % 15
    # Contact ID digits never use A: the digit worth 10 is written 0.
    return {0: "F", 10: "0"}.get(need, format(need, "X"))


def _event(q: str, code: str, group: str, number: str, account: str | None) -> ContactIdEvent:
    qualifier = _QUALIFIERS.get(q)
    if qualifier is None:
        raise FrameError("bad_payload", f"Contact ID qualifier {q} is not 1, 3 or 6")
    info = cid_code(code, restore=qualifier is Qualifier.RESTORE)
    return ContactIdEvent(
        code=code,
        kind=info.kind,
        qualifier=qualifier,
        restore=info.restore,
        group=group,
        zone=None if info.user else number,
        user=number if info.user else None,
        account=account,
    )


def decode_dc09(data: str) -> ContactIdEvent:
    """Decode the data of an ADM-CID frame, e.g. `#1234|1120 01 015`."""
    match = _DC09.fullmatch(data)
    if not match:
        raise FrameError("bad_payload", "ADM-CID data is not [#acct|]QEEE GG ZZZ")
    return _event(match["q"], match["code"], match["group"], match["zone"], match["acct"])


def decode_dc05(digits: str) -> ContactIdEvent:
    """Decode a 16-digit DC-05 message `AAAA MT Q EEE GG CCC S`, checking its checksum."""
    match = _DC05.fullmatch(digits)
    if not match or not checksum_ok(digits):
        raise FrameError("bad_payload", "not a valid 16-digit Contact ID message")
    return _event(match["q"], match["code"], match["group"], match["zone"], match["acct"])
