"""Rules a single device obeys, checked before any database is involved."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from qorgau.devices.schemas import DeviceCreate, DeviceFields, Heartbeat
from tests.devices.conftest import camera, panel


def _error_types(body: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        DeviceCreate.model_validate(body)
    return {e["type"] for e in caught.value.errors()}


@pytest.mark.parametrize(("body", "error"), [
    (camera(purpose=None), "devices.purpose_required"),
    (panel(purpose="yard"), "devices.purpose_not_camera"),
    (panel(range_m=50), "devices.optics_not_camera"),
    (camera(zones=[{"number": 1, "kind": "panic", "name": "x"}]), "devices.zones_not_panel"),
    (panel(zones=[{"number": 1, "kind": "panic", "name": "a"}, {"number": 1, "kind": "door", "name": "b"}]),
     "devices.duplicate_zone"),
    (camera(stream_main="rtsp://10.0.0.1/a", stream_sub="rtsp://10.0.0.1/a"), "devices.same_stream"),
    (camera(stream_main="ftp://10.0.0.1/a"), "devices.bad_url"),
    (camera(stream_main="rtsp://no host/a"), "devices.bad_url"),
    (camera(stream_main="rtsp://admin:12345@10.0.0.1/a"), "devices.credentials_in_url"),
    (panel(dc09_key="xyz"), "devices.bad_key"),
    (camera(code="cam 1"), "string_pattern_mismatch"),
    (camera(heading_deg=360), "less_than"),
    (camera(lat=float("nan")), "finite_number"),
    (camera(kind="drone"), "enum"),
    (camera(extra_field=1), "extra_forbidden"),
])
def test_rules_of_a_device(body: dict[str, Any], error: str) -> None:
    assert error in _error_types(body)


def test_codes_are_upper_cased_and_streams_of_every_allowed_scheme_pass() -> None:
    for scheme in ("rtsp", "rtsps", "http", "https"):
        fields = DeviceFields.model_validate(camera(code=" cam-7 ", site_code="obj-1",
                                                    stream_main=f"{scheme}://10.7.1.2:554/x"))
        assert fields.code == "CAM-7" and fields.site_code == "OBJ-1"


def test_a_decommissioned_device_holds_no_streams_or_identifiers() -> None:
    fields = DeviceFields.model_validate(panel(lifecycle="decommissioned"))
    assert fields.identifiers.by_protocol() == {}
    assert DeviceFields.model_validate(camera(stream_main="rtsp://a/b", lifecycle="decommissioned")).stream_main is None


def test_heartbeats_report_online_or_degraded_only() -> None:
    assert Heartbeat().status == "online"
    with pytest.raises(ValidationError):
        Heartbeat.model_validate({"status": "offline"})
