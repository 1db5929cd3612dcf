"""From a decoded DC-09 frame to `ingest.panel_event` payloads, with the registry's zone names beside them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from qorgau.ingest.directory import DeviceRef
from qorgau.ingest.events import PanelEvent
from qorgau.protocols.dc09 import contact_id, sia
from qorgau.protocols.dc09.codes import Kind
from qorgau.protocols.dc09.parser import Frame, FrameError


def panel_time(frame: Frame, device: DeviceRef, zone: ZoneInfo) -> datetime | None:
    """The frame's timestamp in UTC; panels set to local time are read in the configured zone."""
    if frame.timestamp is None:
        return None
    if device.dc09_local_time:
        return frame.timestamp.replace(tzinfo=zone).astimezone(UTC)
    return frame.timestamp.replace(tzinfo=UTC)


def _location(extended: dict[str, str]) -> dict[str, float] | None:
    """Position from the X/Y blocks, as `Position` holds it (checked against its ranges), or None."""
    try:
        lon, lat = float(extended["X"].lstrip("EW")), float(extended["Y"].lstrip("NS"))
    except (KeyError, ValueError):
        return None
    if extended["X"].startswith("W"):
        lon = -lon
    if extended["Y"].startswith("S"):
        lat = -lat
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return {"lon": lon, "lat": lat}


def _zone_fields(device: DeviceRef, zone: str | None) -> tuple[str | None, str | None]:
    if zone is None or not zone.isdigit():
        return None, None
    kind_name = device.zones.get(int(zone))
    return kind_name if kind_name is not None else (None, None)


def payload_values(frame: Frame, device: DeviceRef, *, at: datetime | None) -> list[dict[str, Any]]:
    """One `PanelEvent` per event in the frame, as a dict in the model's field order with the values it holds.

    The receiver writes these as rows without building the model (see `qorgau.ingest.rows`); `payloads` builds
    the models from them. Data we cannot decode is kept whole as an `unknown` event.
    """
    if frame.extended:
        extended = {block.kind: block.value for block in frame.extended}
        location, text, url = _location(extended), extended.get("I"), extended.get("V")
    else:
        extended, location, text, url = {}, None, None, None
    account, receiver, line = frame.account or "", frame.receiver, frame.prefix
    sequence, encrypted, protocol, code = frame.sequence, frame.encrypted, frame.message_type, device.code
    site = device.site_code
    out: list[dict[str, Any]] = []
    try:
        if protocol == "ADM-CID":
            cid = contact_id.decode_dc09(frame.data)
            zone_kind, zone_name = _zone_fields(device, cid.zone)
            out.append({"device_code": code, "site_code": site, "kind": cid.kind.value, "restore": cid.restore,
                        "code": cid.code, "protocol": protocol, "qualifier": cid.qualifier.value, "zone": cid.zone,
                        "zone_kind": zone_kind, "zone_name": zone_name, "user": cid.user, "area": cid.group,
                        "account": account, "receiver": receiver, "line": line, "sequence": sequence,
                        "encrypted": encrypted, "panel_time": at, "location": location, "text": text,
                        "verification_url": url, "extended": extended})
        else:
            for event in sia.decode(frame.data):
                zone_kind, zone_name = _zone_fields(device, event.zone)
                out.append({"device_code": code, "site_code": site, "kind": event.kind.value,
                            "restore": event.restore, "code": event.code, "protocol": protocol, "qualifier": None,
                            "zone": event.zone, "zone_kind": zone_kind, "zone_name": zone_name, "user": event.user,
                            "area": event.area, "account": account, "receiver": receiver, "line": line,
                            "sequence": sequence, "encrypted": encrypted, "panel_time": at, "location": location,
                            "text": text, "verification_url": url, "extended": extended})
    except FrameError:
        # A well-formed frame whose data we cannot read is still a signal from a school: keep it, raw.
        out = [{"device_code": code, "site_code": site, "kind": Kind.UNKNOWN.value, "restore": False, "code": "",
                "protocol": protocol, "qualifier": None, "zone": None, "zone_kind": None, "zone_name": None,
                "user": None, "area": None, "account": account, "receiver": receiver, "line": line,
                "sequence": sequence, "encrypted": encrypted, "panel_time": at, "location": location,
                "text": text or frame.data[:500], "verification_url": url, "extended": extended}]
    return out


def payloads(frame: Frame, device: DeviceRef, *, at: datetime | None) -> list[PanelEvent]:
    """One payload per event in the frame; data we cannot decode is kept whole as an `unknown` event."""
    return [PanelEvent.model_validate(values) for values in payload_values(frame, device, at=at)]
