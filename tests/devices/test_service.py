"""The registry service on SQLite and PostgreSQL: create, update, decommission, uniqueness, secrets, events."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from qorgau.core.db import Database
from qorgau.core.errors import QorgauError
from qorgau.devices import service, sites
from qorgau.devices.models import Device
from qorgau.devices.schemas import DeviceCreate, DevicePatch
from tests.conftest import CLI_ACTOR
from tests.devices.conftest import CTX, audits, camera, events, panel, school


def _create(db: Database, body: dict[str, Any]) -> Device:
    with db.unit_of_work() as session:
        return service.create(session, device_in=DeviceCreate.model_validate(body), actor=CLI_ACTOR, ctx=CTX)


def _update(db: Database, code: str, **fields: Any) -> Device:
    with db.unit_of_work() as session:
        return service.update(session, code=code, patch=DevicePatch.model_validate(fields), actor=CLI_ACTOR, ctx=CTX)


def _error(db: Database, body: dict[str, Any]) -> QorgauError:
    with pytest.raises(QorgauError) as caught:
        _create(db, body)
    return caught.value


def test_create_registers_the_device_and_publishes_one_event(db: Database) -> None:
    with db.unit_of_work() as session:
        sites.create(session, school())
    _create(db, camera(site_code="obj-01", stream_main="rtsp://10.7.1.11/101", purpose="social_object"))
    with db.reading() as session:
        read = service.to_read(service.get(session, "cam-0001"))
    assert read.site_code == "OBJ-01" and read.site_name_ru == "Школа №1"
    assert read.health == "unknown" and read.lifecycle == "commissioned" and not read.has_credentials
    assert read.effective_supervision_interval_s == 180
    [event] = events(db, "devices.registered")
    assert event.subject_id == "CAM-0001"
    assert event.payload == {"code": "CAM-0001", "kind": "camera", "purpose": "social_object", "site_code": "OBJ-01",
                             "lifecycle": "commissioned", "changes": ["created"]}


def test_credentials_are_encrypted_at_rest_never_read_back_and_their_change_is_audited(db: Database) -> None:
    _create(db, panel(username="installer", password="s3cret-pass", dc09_key="00112233445566778899aabbccddeeff"))
    with db.reading() as session:
        raw = session.execute(text("SELECT username, password, dc09_key FROM devices")).one()
        read = service.to_read(service.get(session, "PNL-01"))
    assert all(value.startswith("enc:v1:") and "s3cret" not in value for value in raw)
    assert read.has_credentials and read.has_dc09_key
    assert "s3cret" not in read.model_dump_json()
    [record] = audits(db, "devices.credentials_change")
    assert record.target_id == "PNL-01" and record.details == {"fields": ["dc09_key", "password", "username"]}
    _update(db, "PNL-01", password="s3cret-pass")  # the same value: nothing changes, nothing is audited
    _update(db, "PNL-01", password=None, username=None)
    with db.reading() as session:
        assert not service.to_read(service.get(session, "PNL-01")).has_credentials
    assert [r.details["fields"] for r in audits(db, "devices.credentials_change")][1:] == [["password", "username"]]
    assert [e.payload["changes"] for e in events(db, "devices.updated")] == [["password", "username"]]


def test_update_changes_only_what_is_given_and_reports_the_fields(db: Database) -> None:
    _create(db, panel())
    _update(db, "PNL-01", name_ru="Панель школы", zones=[{"number": 1, "kind": "panic", "name": "Вахта"}])
    _update(db, "PNL-01", name_ru="Панель школы")  # no change: no event
    with db.reading() as session:
        read = service.to_read(service.get(session, "PNL-01"))
    assert read.name_ru == "Панель школы" and read.name_kk == "Дабыл панелі" and len(read.zones) == 1
    assert read.identifiers.dc09 is not None and read.identifiers.dc09.value == "1/1/1001"
    assert [e.payload["changes"] for e in events(db, "devices.updated")] == [["name_ru", "zones"]]


@pytest.mark.parametrize(("body", "code"), [
    (camera(lon=60.0, lat=45.0), "devices.row.outside_district"),
    (camera(site_code="NOPE-1"), "devices.row.unknown_site"),
])
def test_devices_outside_the_district_or_at_unknown_sites_are_refused(db: Database, body: dict[str, Any],
                                                                     code: str) -> None:
    error = _error(db, body)
    assert error.code == code and error.status == 422
    assert events(db) == []


def test_codes_streams_and_protocol_identifiers_are_unique(db: Database) -> None:
    _create(db, camera("CAM-0001", stream_main="rtsp://10.7.1.11/101", stream_sub="rtsp://10.7.1.11/102"))
    _create(db, panel("PNL-01", account="1001"))
    assert _error(db, camera("cam-0001")).code == "devices.exists"
    taken = _error(db, camera("CAM-0002", stream_main="rtsp://10.7.1.11/102"))
    assert (taken.code, taken.status, taken.params["other"]) == ("devices.row.duplicate_stream", 409, "CAM-0001")
    same = _error(db, panel("PNL-02", account="1001"))
    assert same.code == "devices.row.duplicate_identifier" and same.params["other"] == "PNL-01"
    _create(db, panel("PNL-02", account="1002"))  # another account on the same receiver and line is fine
    with pytest.raises(QorgauError) as caught:
        _update(db, "PNL-02", identifiers={"dc09": {"receiver": "1", "line": "1", "account": "1001"}})
    assert caught.value.code == "devices.row.duplicate_identifier"


def test_decommission_releases_streams_and_identifiers_for_the_replacement(db: Database) -> None:
    _create(db, panel("PNL-01", account="1001"))
    with db.unit_of_work() as session:
        retired = service.decommission(session, code="PNL-01", actor=CLI_ACTOR, ctx=CTX)
        assert retired.lifecycle == "decommissioned" and retired.decommissioned_at is not None
    with db.unit_of_work() as session:  # twice is harmless
        service.decommission(session, code="PNL-01", actor=CLI_ACTOR, ctx=CTX)
    _create(db, panel("PNL-02", account="1001"))
    [event] = events(db, "devices.decommissioned")
    assert event.payload["lifecycle"] == "decommissioned" and "identifiers" in event.payload["changes"]
    assert len(audits(db, "devices.decommission")) == 1
    assert events(db, "devices.health_changed") == []  # it was never heard from: unknown stays unknown


def test_unknown_device_is_not_found(db: Database) -> None:
    with db.reading() as session, pytest.raises(QorgauError) as caught:
        service.get(session, "CAM-9999")
    assert caught.value.status == 404 and caught.value.code == "devices.not_found"
