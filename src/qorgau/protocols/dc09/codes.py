"""Normalised event kinds for SIA DC-03 codes and Contact ID (DC-05) codes; anything else is `unknown`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What an alarm signal means to the center, whatever the panel's protocol."""

    PANIC = "panic"
    DURESS = "duress"
    SILENT_PANIC = "silent_panic"
    BURGLARY = "burglary"
    FIRE = "fire"
    TAMPER = "tamper"
    AC_LOSS = "ac_loss"
    LOW_BATTERY = "low_battery"
    TEST = "test"
    ACCESS_GRANTED = "access_granted"
    ACCESS_DENIED = "access_denied"
    ACCESS_FORCED = "access_forced"
    OPEN = "open"
    CLOSE = "close"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """The kind of a code, whether it reports a restore, and whether its number is a user rather than a zone."""

    kind: Kind
    restore: bool = False
    user: bool = False


# Only the codes the reference lists; other codes stay `unknown` with their raw code kept by the caller.
SIA_CODES: dict[str, CodeInfo] = {
    "PA": CodeInfo(Kind.PANIC),
    "HA": CodeInfo(Kind.DURESS),
    "BA": CodeInfo(Kind.BURGLARY),
    "TA": CodeInfo(Kind.TAMPER),
    "FA": CodeInfo(Kind.FIRE),
    "AT": CodeInfo(Kind.AC_LOSS),
    "AR": CodeInfo(Kind.AC_LOSS, restore=True),
    "YT": CodeInfo(Kind.LOW_BATTERY),
    "YR": CodeInfo(Kind.LOW_BATTERY, restore=True),
    "RP": CodeInfo(Kind.TEST),
    "DG": CodeInfo(Kind.ACCESS_GRANTED, user=True),
    "DD": CodeInfo(Kind.ACCESS_DENIED, user=True),
    "DF": CodeInfo(Kind.ACCESS_FORCED),
    "OP": CodeInfo(Kind.OPEN, user=True),
    "CL": CodeInfo(Kind.CLOSE, user=True),
}

CID_CODES: dict[str, CodeInfo] = {
    "110": CodeInfo(Kind.FIRE),
    "120": CodeInfo(Kind.PANIC),
    "121": CodeInfo(Kind.DURESS, user=True),
    "122": CodeInfo(Kind.SILENT_PANIC),
    "123": CodeInfo(Kind.PANIC),  # audible panic: still a panic, never an "invalid report"
    "130": CodeInfo(Kind.BURGLARY),
    "131": CodeInfo(Kind.BURGLARY),
    "137": CodeInfo(Kind.TAMPER),
    "144": CodeInfo(Kind.TAMPER),
    "383": CodeInfo(Kind.TAMPER),
    "301": CodeInfo(Kind.AC_LOSS),
    "302": CodeInfo(Kind.LOW_BATTERY),
    "401": CodeInfo(Kind.OPEN, user=True),  # qualifier 3 turns it into a closing
    "421": CodeInfo(Kind.ACCESS_DENIED, user=True),
    "422": CodeInfo(Kind.ACCESS_GRANTED, user=True),
    "423": CodeInfo(Kind.ACCESS_FORCED),
    "424": CodeInfo(Kind.ACCESS_DENIED, user=True),
    "425": CodeInfo(Kind.ACCESS_GRANTED, user=True),
    "601": CodeInfo(Kind.TEST),
    "602": CodeInfo(Kind.TEST),
}

_UNKNOWN = CodeInfo(Kind.UNKNOWN)


def sia_code(code: str) -> CodeInfo:
    """Look up a two-letter SIA DC-03 event code."""
    return SIA_CODES.get(code, _UNKNOWN)


def cid_code(code: str, *, restore: bool = False) -> CodeInfo:
    """Look up a three-digit Contact ID event code; `restore` is qualifier 3."""
    info = CID_CODES.get(code, _UNKNOWN)
    if code == "401" and restore:
        return CodeInfo(Kind.CLOSE, restore=False, user=True)
    if restore and info.kind is not Kind.OPEN:
        return CodeInfo(info.kind, restore=True, user=info.user)
    return info
