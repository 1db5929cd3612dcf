"""Feedback fixtures: the districts' migrated Aksai database (feedback counts by district and inspector)."""

from __future__ import annotations

from typing import Any

import shapely.geometry
from fastapi.testclient import TestClient

from tests.districts.conftest import (
    aksai_data,
    db_url,
    districts_pg_template,
    districts_sqlite_template,
    seeded_pg_template,
    seeded_sqlite_template,
)
from tests.incidents.conftest import ok

__all__ = ["aksai_data", "db_url", "districts_pg_template", "districts_sqlite_template", "seeded_pg_template",
           "seeded_sqlite_template"]


def closed_incident(client: TestClient, district: dict[str, Any], *, close: bool = True) -> dict[str, Any]:
    """An incident at a point inside the district, closed unless told otherwise (the caller holds incidents:write)."""
    point = shapely.geometry.shape(district["geometry"]).representative_point()
    incident: dict[str, Any] = ok(client.post("/api/incidents", json={"category": "theft", "lon": point.x,
                                                                      "lat": point.y}), 201)
    if close:
        incident = ok(client.post(f"/api/incidents/{incident['id']}/transition", json={"to": "closed"}))
    return incident
