"""Fixtures of the device registry tests: the district boundary, payload builders, events and audit readers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypedDict

import pytest
from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.core.bus import Context
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.core.migrate import upgrade
from qorgau.devices import geo
from qorgau.devices.schemas import SiteFields
from tests.conftest import SHARED

CTX = Context.system("test")
CENTRE = (53.011478, 51.173893)


class Finite(TypedDict):
    """The keywords of `st.floats` that keep NaN and the infinities out."""

    allow_nan: bool
    allow_infinity: bool


@pytest.fixture(autouse=True, scope="session")
def district_boundary() -> None:
    """The real boundary: the city model's copy when installed, else the shared source data (tests only)."""
    if geo.district_boundary() is None:
        geo.configure_boundary(geo.boundary_from_file(SHARED / "data" / "aksai" / "burlinsky-district.geojson"))


def near(east_m: float = 0.0, north_m: float = 0.0) -> tuple[float, float]:
    """A point this many metres from Aksai's centre."""
    return geo.offset(*CENTRE, east_m, north_m)


def camera(code: str = "CAM-0001", east_m: float = 0.0, north_m: float = 0.0, **extra: Any) -> dict[str, Any]:
    lon, lat = near(east_m, north_m)
    body: dict[str, Any] = {"code": code, "kind": "camera", "purpose": "public_space", "name_kk": f"Камера {code}",
                            "name_ru": f"Камера {code}", "lon": lon, "lat": lat, "heading_deg": 0.0,
                            "lifecycle": "commissioned"}
    return body | extra


def panel(code: str = "PNL-01", account: str = "1001", **extra: Any) -> dict[str, Any]:
    lon, lat = near(100, 100)
    body: dict[str, Any] = {
        "code": code, "kind": "alarm_panel", "name_kk": "Дабыл панелі", "name_ru": "Тревожная панель", "lon": lon,
        "lat": lat, "lifecycle": "commissioned",
        "identifiers": {"dc09": {"receiver": "1", "line": "1", "account": account}},
        "zones": [{"number": 1, "kind": "panic", "name": "Вахта"}, {"number": 2, "kind": "door", "name": "Вход"}],
    }
    return body | extra


def school(code: str = "OBJ-01") -> SiteFields:
    lon, lat = near(50, 50)
    return SiteFields(code=code, kind="social_object", subtype="school", name_kk="№1 мектеп", name_ru="Школа №1",
                      lon=lon, lat=lat)


def events(db: Database, name: str | None = None) -> list[OutboxEvent]:
    with db.reading() as session:
        query = select(OutboxEvent).order_by(OutboxEvent.seq)
        if name is not None:
            query = query.where(OutboxEvent.name == name)
        return list(session.scalars(query))


def audits(db: Database, action: str) -> list[AuditRecord]:
    with db.reading() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action)
                                    .order_by(AuditRecord.seq)))


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite database that `qorgau` commands run in-process use, with no other QORGAU_* setting."""
    url = f"sqlite:///{tmp_path / 'qorgau.db'}"
    upgrade(url)
    for key in [k for k in os.environ if k.upper().startswith("QORGAU_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("QORGAU_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("QORGAU_DATABASE_URL", url)
    return url
