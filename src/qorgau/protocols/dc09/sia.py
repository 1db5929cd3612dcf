"""SIA DC-03 (`SIA-DCS`) data: `#acct|N` then `ti`/`id`/`ri` modifiers and events, `/`-separated."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from qorgau.protocols.dc09.codes import Kind, sia_code
from qorgau.protocols.dc09.parser import FrameError

_HEAD = re.compile(r"(?:#(?P<acct>[0-9A-F]{1,16})\|)?N")
# Modifiers may be closed by `/` or run straight into the next one or the event (`Nri1PA15`, as some panels
# write it), so they match digits only and the rest of the field is read on.
_TIME = re.compile(r"ti ?(?P<h>[0-9]{2}):(?P<m>[0-9]{2})(?::[0-9]{2})?")
_USER = re.compile(r"id ?(?P<v>[0-9]+)")
_AREA = re.compile(r"ri ?(?P<v>[0-9]+)")
_MODIFIER = re.compile(r"[a-z]{2}.*")
_EVENT = re.compile(r"(?P<code>[A-Z]{2})(?P<number>[0-9A-Za-z-]*)")


@dataclass(frozen=True, slots=True)
class SiaEvent:
    """One SIA DC-03 event; `code` is kept raw so unknown codes are never lost."""

    code: str
    kind: Kind
    restore: bool
    zone: str | None = None
    user: str | None = None
    area: str | None = None
    time: time | None = None
    account: str | None = None


def decode(data: str) -> tuple[SiaEvent, ...]:
    """Decode the data of a SIA-DCS frame into its events (at least one), e.g. `#1234|Nri1/PA015`."""
    head = _HEAD.match(data)
    if not head:
        raise FrameError("bad_payload", "SIA-DCS data does not start with [#acct|]N")
    account = head["acct"]
    at: time | None = None
    user: str | None = None
    area: str | None = None
    events: list[SiaEvent] = []
    for field in data[head.end() :].split("/"):
        rest = field
        while rest:  # an empty field (trailing or doubled separator) carries nothing
            if match := _TIME.match(rest):
                try:
                    at = time(int(match["h"]), int(match["m"]))
                except ValueError as exc:
                    raise FrameError("bad_payload", f"bad event time {field[:20]!r}") from exc
            elif match := _USER.match(rest):
                user = match["v"]
            elif match := _AREA.match(rest):
                area = match["v"]
            elif _MODIFIER.fullmatch(rest):
                break  # other modifiers (pi, lp, …) refine nothing the center uses yet
            elif match := _EVENT.fullmatch(rest):
                info = sia_code(match["code"])
                number = match["number"] or None
                events.append(
                    SiaEvent(
                        code=match["code"],
                        kind=info.kind,
                        restore=info.restore,
                        zone=None if info.user else number,
                        user=(number or user) if info.user else user,
                        area=area,
                        time=at,
                        account=account,
                    )
                )
                break
            else:
                raise FrameError("bad_payload", f"unreadable SIA field {field[:20]!r}")
            rest = rest[match.end() :]
    if not events:
        raise FrameError("bad_payload", "SIA-DCS data carries no event")
    return tuple(events)
