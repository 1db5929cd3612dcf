"""From a decoded DC-09 frame to `ingest.panel_event` payloads, with the registry's zone names beside them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from qorgau.ingest.adapters.sia_dc09 import contact_id, sia
from qorgau.ingest.adapters.sia_dc09.codes import Kind
from qorgau.ingest.adapters.sia_dc09.parser import Frame, FrameError
from qorgau.ingest.directory import DeviceRef
from qorgau.ingest.events import PanelEvent, Position


def panel_time(frame: Frame, device: DeviceRef, zone: ZoneInfo) -> datetime | None:
    """The frame's timestamp in UTC; panels set to local time are read in the configured zone."""
    if frame.timestamp is None:
        return None
    if device.dc09_local_time:
        return frame.timestamp.replace(tzinfo=zone).astimezone(UTC)
    return frame.timestamp.replace(tzinfo=UTC)


def _location(extended: dict[str, str]) -> Position | None:
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
    return Position(lon=lon, lat=lat)


def _zone_fields(device: DeviceRef, zone: str | None) -> tuple[str | None, str | None]:
    if zone is None or not zone.isdigit():
        return None, None
    kind_name = device.zones.get(int(zone))
    return kind_name if kind_name is not None else (None, None)


def payloads(frame: Frame, device: DeviceRef, *, at: datetime | None) -> list[PanelEvent]:
    """One payload per event in the frame; data we cannot decode is kept whole as an `unknown` event."""
    extended = {block.kind: block.value for block in frame.extended}
    common = {
        "device_code": device.code, "site_code": device.site_code, "protocol": frame.message_type,
        "account": frame.account or "", "receiver": frame.receiver, "line": frame.prefix,
        "sequence": frame.sequence, "encrypted": frame.encrypted, "panel_time": at,
        "location": _location(extended), "text": extended.get("I"), "verification_url": extended.get("V"),
        "extended": extended,
    }
    out: list[PanelEvent] = []
    try:
        if frame.message_type == "ADM-CID":
            cid = contact_id.decode_dc09(frame.data)
            zone_kind, zone_name = _zone_fields(device, cid.zone)
            out.append(PanelEvent(kind=cid.kind, restore=cid.restore, code=cid.code, qualifier=str(cid.qualifier),
                                  zone=cid.zone, zone_kind=zone_kind, zone_name=zone_name, user=cid.user,
                                  area=cid.group, **common))
        else:
            for event in sia.decode(frame.data):
                zone_kind, zone_name = _zone_fields(device, event.zone)
                out.append(PanelEvent(kind=event.kind, restore=event.restore, code=event.code, zone=event.zone,
                                      zone_kind=zone_kind, zone_name=zone_name, user=event.user, area=event.area,
                                      **common))
    except FrameError:
        # A well-formed frame whose data we cannot read is still a signal from a school: keep it, raw.
        extended_text = common.pop("text")
        out.append(PanelEvent(kind=Kind.UNKNOWN, restore=False, code="", text=extended_text or frame.data[:500],
                              **common))
    return out
