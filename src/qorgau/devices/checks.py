"""Checks that span devices: unique codes, streams and protocol identifiers, known sites, the district.

One code path for a single create or update and for an import of thousands of rows: the checks look at the
final state (the registry with every device of the batch replaced by its new version), so an import may swap
two cameras' stream URLs, and each problem names the row it belongs to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from qorgau.devices import geo
from qorgau.devices.models import Device, DeviceIdentifier, Site
from qorgau.devices.schemas import DeviceFields

CHUNK = 500  # keeps IN lists far below SQLite's and PostgreSQL's parameter limits
T = TypeVar("T")

# pydantic error types → the reason an import reports (translation key devices.row.<reason>)
_NUMBER_ERRORS = {"float_parsing", "float_type", "int_parsing", "int_type", "finite_number", "int_from_float"}
_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_ENUM_REASONS = {"kind": "unknown_kind", "purpose": "unknown_purpose", "lifecycle": "unknown_lifecycle"}
# the field a whole-device rule is about, so a report can point at a column
_RULE_FIELDS = {"purpose_required": "purpose", "purpose_not_camera": "purpose", "optics_not_camera": "heading_deg",
                "zones_not_panel": "zones", "duplicate_zone": "zones", "same_stream": "stream_sub"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one device of a batch."""

    locator: int  # CSV line number, GeoJSON feature index, or 0 for a single device
    code: str | None
    field: str | None
    reason: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def flat_field(loc: Iterable[Any]) -> str | None:
    """The name a file column has for a pydantic location (``identifiers.dc09.account`` → ``dc09_account``)."""
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if not parts:
        return None
    if parts[0] == "identifiers":
        return "_".join(parts[1:]) or "identifiers"
    return parts[0]


def from_validation(locator: int, code: str | None, exc: ValidationError) -> list[Problem]:
    """Each pydantic error of one row as a Problem with a stable reason."""
    found = []
    for err in exc.errors():
        name = flat_field(err["loc"])
        kind = err["type"]
        detail = str(err.get("msg", ""))
        if kind == "missing" or (kind in ("string_type", "float_type") and err.get("input") is None):
            reason = "missing_field"
        elif kind in _NUMBER_ERRORS:
            reason = "bad_number"
        elif kind in _RANGE_ERRORS:
            reason = "out_of_range"
        elif kind == "enum" and name in _ENUM_REASONS:
            reason = _ENUM_REASONS[name]
        elif kind.startswith("devices."):
            reason = kind.removeprefix("devices.")
            name = name or _RULE_FIELDS.get(reason)
        elif kind == "extra_forbidden":
            reason = "unknown_field"
        else:
            reason = "bad_value"
        found.append(Problem(locator, code, name, reason, {"detail": detail}))
    return found


def check(session: Session, batch: Sequence[tuple[int, DeviceFields]]) -> list[Problem]:
    """Every cross-device problem of the batch's final state, in file order."""
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for locator, spec in batch:
        if spec.code in first_line:
            problems.append(Problem(locator, spec.code, "code", "duplicate_code", {"other": first_line[spec.code]}))
        else:
            first_line[spec.code] = locator
    problems += _sites(session, batch)
    problems += _district(batch)
    problems += _streams(session, batch, set(first_line))
    problems += _identifiers(session, batch, set(first_line))
    return sorted(problems, key=lambda p: (p.locator, p.field or ""))


def _sites(session: Session, batch: Sequence[tuple[int, DeviceFields]]) -> list[Problem]:
    wanted = sorted({spec.site_code for _, spec in batch if spec.site_code})
    known: set[str] = set()
    for part in chunks(wanted):
        known.update(session.scalars(select(Site.code).where(Site.code.in_(part))))
    return [Problem(loc, spec.code, "site_code", "unknown_site", {"site": spec.site_code})
            for loc, spec in batch if spec.site_code and spec.site_code not in known]


def _district(batch: Sequence[tuple[int, DeviceFields]]) -> list[Problem]:
    boundary = geo.district_boundary()
    if boundary is None:
        return []
    return [Problem(loc, spec.code, "lon", "outside_district", {"lon": spec.lon, "lat": spec.lat})
            for loc, spec in batch if not boundary.contains(spec.lon, spec.lat)]


def _streams(session: Session, batch: Sequence[tuple[int, DeviceFields]], codes: set[str]) -> list[Problem]:
    urls = sorted({u for _, s in batch for u in (s.stream_main, s.stream_sub) if u})
    owners: dict[str, str] = {}  # url → code of a device outside the batch that holds it
    for part in chunks(urls):
        rows = session.execute(select(Device.code, Device.stream_main, Device.stream_sub)
                               .where(Device.stream_main.in_(part) | Device.stream_sub.in_(part)))
        for code, main, sub in rows:
            if code not in codes:
                owners.update({u: code for u in (main, sub) if u})
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for locator, spec in batch:
        for name in ("stream_main", "stream_sub"):
            url = getattr(spec, name)
            if not url:
                continue
            if url in owners:
                problems.append(Problem(locator, spec.code, name, "duplicate_stream", {"other": owners[url]}))
            elif url in seen and seen[url] != locator:
                problems.append(Problem(locator, spec.code, name, "duplicate_stream_in_file", {"other": seen[url]}))
            seen.setdefault(url, locator)
    return problems


def _identifiers(session: Session, batch: Sequence[tuple[int, DeviceFields]], codes: set[str]) -> list[Problem]:
    wanted = sorted({(str(p), v) for _, s in batch for p, v in s.identifiers.by_protocol().items()})
    owners: dict[tuple[str, str], str] = {}
    for part in chunks(wanted):
        rows = session.execute(
            select(DeviceIdentifier.protocol, DeviceIdentifier.value, Device.code)
            .join(Device, Device.id == DeviceIdentifier.device_id)
            .where(tuple_(DeviceIdentifier.protocol, DeviceIdentifier.value).in_(list(part)))
        )
        owners.update({(protocol, value): code for protocol, value, code in rows if code not in codes})
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for locator, spec in batch:
        for protocol, value in spec.identifiers.by_protocol().items():
            key = (str(protocol), value)
            name = "dc09" if protocol == "dc09" else ("mqtt_client_id" if protocol == "mqtt" else "sip_user")
            params = {"protocol": str(protocol), "value": value}
            if key in owners:
                problems.append(Problem(locator, spec.code, name, "duplicate_identifier",
                                        {**params, "other": owners[key]}))
            elif key in seen and seen[key] != locator:
                problems.append(Problem(locator, spec.code, name, "duplicate_identifier_in_file",
                                        {**params, "other": seen[key]}))
            seen.setdefault(key, locator)
    return problems
