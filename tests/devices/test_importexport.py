"""Bulk import and export: all-or-nothing with every bad row reported, and round trips through CSV and GeoJSON."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.core.db import Database
from qorgau.devices import importexport as ie
from qorgau.devices import service, sites
from qorgau.devices.schemas import DeviceCreate, DeviceFields, ImportResult
from tests.conftest import CLI_ACTOR
from tests.devices.conftest import CTX, Finite, camera, events, near, panel, school

HEADER = "code,kind,purpose,name_kk,name_ru,lon,lat,stream_main,dc09_receiver,dc09_line,dc09_account"


def _import(db: Database, text: str, fmt: ie.Format = "csv") -> ImportResult:
    with db.unit_of_work() as session:
        return ie.import_devices(session, text.encode(), fmt, actor=CLI_ACTOR, ctx=CTX)


def _rejected(db: Database, text: str, fmt: ie.Format = "csv") -> list[tuple[int, str | None, str]]:
    with pytest.raises(ie.ImportRejected) as caught:
        _import(db, text, fmt)
    return [(p.locator, p.code, p.reason) for p in caught.value.problems]


def _create(db: Database, body: dict[str, Any]) -> None:
    with db.unit_of_work() as session:
        service.create(session, device_in=DeviceCreate.model_validate(body), actor=CLI_ACTOR, ctx=CTX)


def _export(db: Database, fmt: ie.Format) -> str:
    with db.unit_of_work() as session:
        return ie.export_devices(session, fmt, actor=CLI_ACTOR)


def test_a_file_with_many_bad_rows_reports_every_one_with_its_line_and_changes_nothing(db: Database) -> None:
    _create(db, panel("PNL-01", account="1001"))
    before = len(events(db))
    lon, lat = near(10, 10)
    rows = [
        f"CAM-1,camera,yard,А,А,{lon},{lat},rtsp://10.7.1.1/a,,,",           # 2 fine
        "CAM-2,camera,yard,А,А,60.5,45.1,,,,",                              # 3 outside the district
        f"CAM-1,camera,yard,А,А,{lon},{lat},,,,",                           # 4 the code again
        f"CAM-3,camera,yard,А,А,{lon},{lat},rtsp://10.7.1.1/a,,,",           # 5 the stream of line 2
        f"CAM-4,drone,,А,А,{lon},{lat},,,,",                                # 6 unknown kind
        f"CAM-5,camera,yard,А,А,{lon},north,,,,",                           # 7 not a number
        f"CAM-6,camera,yard,А,,{lon},{lat},,,,",                            # 8 no Russian name
        f"PNL-02,alarm_panel,,А,А,{lon},{lat},,1,1,1001",                   # 9 PNL-01's DC-09 account
        f"CAM-7,camera,parking,А,А,{lon},{lat},,,,",                        # 10 unknown purpose
        f"PNL-03,alarm_panel,,А,А,{lon},{lat},,1,,1003",                    # 11 DC-09 without a line
    ]
    problems = _rejected(db, "\n".join([HEADER, *rows]) + "\n")
    assert problems == [
        (3, "CAM-2", "outside_district"), (4, "CAM-1", "duplicate_code"), (5, "CAM-3", "duplicate_stream_in_file"),
        (6, "CAM-4", "unknown_kind"), (7, "CAM-5", "bad_number"), (8, "CAM-6", "missing_field"),
        (9, "PNL-02", "duplicate_identifier"), (10, "CAM-7", "unknown_purpose"), (11, "PNL-03", "dc09_incomplete"),
    ]
    assert len(events(db)) == before
    with db.reading() as session:
        assert service.existing(session, ["CAM-1"]) == {}


def test_geojson_problems_name_the_feature_index(db: Database) -> None:
    lon, lat = near()
    good: dict[str, Any] = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"code": "SOS-01", "kind": "sos_terminal", "name_kk": "SOS", "name_ru": "SOS"}}
    bad = [
        {**good, "properties": {**good["properties"], "code": "SOS-02", "colour": "red"}},
        {**good, "properties": {**good["properties"], "code": "SOS-03"}, "geometry": {"type": "LineString"}},
        "not a feature",
        {**good, "properties": {**good["properties"], "code": "SOS-01"}},
    ]
    text = json.dumps({"type": "FeatureCollection", "features": [good, *bad]})
    assert _rejected(db, text, "geojson") == [(1, "SOS-02", "unknown_field"), (2, "SOS-03", "bad_geometry"),
                                             (3, None, "bad_feature")]
    assert _rejected(db, json.dumps({"type": "FeatureCollection", "features": [good, bad[3]]}), "geojson") == [
        (1, "SOS-01", "duplicate_code")]
    assert _rejected(db, "[1, 2", "geojson") == [(0, None, "bad_file")]
    assert _import(db, json.dumps({"type": "FeatureCollection", "features": [good]}), "geojson").created == 1


def test_import_creates_and_updates_by_code_keeping_columns_the_file_leaves_out(db: Database) -> None:
    with db.unit_of_work() as session:
        sites.create(session, school())
    _create(db, camera("CAM-0001", stream_main="rtsp://10.7.1.1/a", stream_sub="rtsp://10.7.1.1/b",
                       site_code="OBJ-01", password="pw-123456"))
    lat = near(5, 5)[1]
    decimal_comma = str(lat).replace(".", ",")  # as a spreadsheet that separates with ';' writes it
    text = f"code;name_ru;lat;stream_sub\nCAM-0001;Новое имя;{decimal_comma};\n"
    result = _import(db, text)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    with db.reading() as session:
        read = service.to_read(service.get(session, "CAM-0001"))
    assert read.name_ru == "Новое имя" and read.lat == pytest.approx(lat) and read.stream_sub is None
    assert read.stream_main == "rtsp://10.7.1.1/a" and read.site_code == "OBJ-01" and read.has_credentials
    assert [e.payload["changes"] for e in events(db, "devices.updated")] == [["lat", "name_ru", "stream_sub"]]


def test_one_import_may_swap_two_cameras_streams(db: Database) -> None:
    _create(db, camera("CAM-0001", stream_main="rtsp://10.7.1.1/a"))
    _create(db, camera("CAM-0002", stream_main="rtsp://10.7.1.2/a"))
    result = _import(db, "code,stream_main\nCAM-0001,rtsp://10.7.1.2/a\nCAM-0002,rtsp://10.7.1.1/a\n")
    assert result.updated == 2
    with db.reading() as session:
        assert service.get(session, "CAM-0001").stream_main == "rtsp://10.7.1.2/a"


def test_export_imports_back_unchanged_and_never_carries_credentials(db: Database) -> None:
    with db.unit_of_work() as session:
        sites.create(session, school())
    _create(db, camera("CAM-0001", site_code="OBJ-01", stream_main="rtsp://10.7.1.1/a", username="u",
                       password="secret-password", fov_deg=92.5, range_m=33.3, supervision_interval_s=90))
    _create(db, panel("PNL-01", dc09_key="00112233445566778899aabbccddeeff", site_code="OBJ-01"))
    _create(db, {**camera("SOS-01", 30, 30, purpose=None, heading_deg=None, kind="sos_terminal"),
                 "identifiers": {"sip_user": "7001"}})
    formats: tuple[ie.Format, ...] = ("csv", "geojson")
    for fmt in formats:
        text = _export(db, fmt)
        assert "secret" not in text and "00112233" not in text and "password" not in text
        result = _import(db, text, fmt)
        assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert ie.parse_csv(_export(db, "csv"))[0][1].values["zones"] == "1:panic:Вахта;2:door:Вход"


# --- pure round trips ---------------------------------------------------------------------------------------

_names = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30).map(
    str.strip).filter(bool)
_hex = st.text("0123456789ABCDEF", min_size=3, max_size=6)
_zone_names = _names.filter(lambda n: ";" not in n)


@st.composite
def devices(draw: st.DrawFn) -> DeviceFields:
    kind = draw(st.sampled_from(["camera", "sos_terminal", "alarm_panel", "access_point"]))
    is_camera = kind == "camera"
    finite: Finite = {"allow_nan": False, "allow_infinity": False}
    body: dict[str, Any] = {
        "code": draw(st.from_regex(r"[A-Z]{3}-[0-9]{1,5}", fullmatch=True)), "kind": kind,
        "purpose": draw(st.sampled_from(["yard", "speed", "city_entry_anpr"])) if is_camera else None,
        "name_kk": draw(_names), "name_ru": draw(_names),
        "site_code": draw(st.none() | st.from_regex(r"OBJ-[0-9]{2}", fullmatch=True)),
        "lon": draw(st.floats(-180, 180, **finite)), "lat": draw(st.floats(-90, 90, **finite)),
        "stream_main": draw(st.none() | st.from_regex(r"rtsp://10\.7\.[0-9]{1,3}\.[0-9]{1,3}/[a-z0-9]{1,8}",
                                                      fullmatch=True)),
        "lifecycle": draw(st.sampled_from(["planned", "installed", "commissioned"])),
        "supervision_interval_s": draw(st.none() | st.integers(10, 86400)),
        "generated": draw(st.booleans()),
        "simulated": draw(st.booleans()),
        "identifiers": {"sip_user": draw(st.none() | st.from_regex(r"[0-9]{3,6}", fullmatch=True)),
                        "mqtt_client_id": draw(st.none() | st.text(string.ascii_letters + "-_/", min_size=1,
                                                                      max_size=20))},
    }
    if is_camera:
        body |= {"heading_deg": draw(st.none() | st.floats(0, 359.99, **finite)),
                 "fov_deg": draw(st.none() | st.floats(1, 360, **finite)),
                 "range_m": draw(st.none() | st.floats(1, 5000, **finite))}
    if kind == "alarm_panel":
        body["identifiers"]["dc09"] = draw(st.none() | st.builds(dict, receiver=_hex, line=_hex, account=_hex))
        numbers = draw(st.lists(st.integers(1, 9999), max_size=4, unique=True))
        body["zones"] = [{"number": n, "kind": draw(st.sampled_from(["panic", "door", "duress"])),
                          "name": draw(_zone_names)} for n in numbers]
    return DeviceFields.model_validate(body)


def _state(fields: DeviceFields) -> dict[str, Any]:
    state = fields.model_dump(mode="json")
    state["identifiers"] = fields.identifiers.model_dump(exclude_none=True)
    return state


def _read_back(rows: list[ie.Row]) -> list[DeviceFields]:
    found = []
    for row in rows:
        spec, problems = ie.row_fields(row, {})
        assert problems == [] and spec is not None
        found.append(spec.fields)
    return found


@settings(max_examples=60, deadline=None)
@given(st.lists(devices(), max_size=5))
def test_csv_round_trip(batch: list[DeviceFields]) -> None:
    rows, problems = ie.parse_csv(ie.to_csv([_state(d) for d in batch]))
    assert problems == []
    assert _read_back(rows) == batch


@settings(max_examples=60, deadline=None)
@given(st.lists(devices(), max_size=5))
def test_geojson_round_trip(batch: list[DeviceFields]) -> None:
    text = json.dumps(ie.to_geojson([_state(d) for d in batch]), ensure_ascii=False)
    rows, problems = ie.parse_geojson(json.loads(text))
    assert problems == []
    assert _read_back(rows) == batch


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty_file"), ("code,colour\nA-1,red\n", "unknown_column"), ("name_ru\nX\n", "missing_column"),
    ("code,name_ru\nA-1,x,y\n", "wrong_cell_count"), ('code,name_ru\nA-1,"x\n', "bad_file"),
])
def test_unreadable_csv_files(text: str, reason: str) -> None:
    assert reason in [p.reason for p in ie.parse_csv(text)[1]]


_json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
                            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                         max_size=3), max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_read_as_rows_or_problems_never_an_exception(text: str) -> None:
    rows, _ = ie.parse_csv("code,kind,name_ru,lon,lat,zones,dc09_account,password\n" + text)
    for row in rows:
        ie.row_fields(row, {})


@settings(max_examples=150, deadline=None)
@given(st.lists(st.fixed_dictionaries({"type": st.just("Feature"), "geometry": _json_values,
                                       "properties": st.dictionaries(st.sampled_from(sorted(ie.ACCEPTED)),
                                                                     _json_values, max_size=6)}), max_size=3)
       | _json_values)
def test_any_json_is_read_as_features_or_problems_never_an_exception(features: Any) -> None:
    rows, _ = ie.parse_geojson({"type": "FeatureCollection", "features": features})
    for row in rows:
        ie.row_fields(row, {})
