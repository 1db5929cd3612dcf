"""Offences fixtures: a migrated database holding the generated Aksai model and its districts (the offences'
places are checked against them), copied from the districts' templates for each test."""

from __future__ import annotations

from tests.districts.conftest import (
    aksai_data,
    db_url,
    districts_pg_template,
    districts_sqlite_template,
    seeded_pg_template,
    seeded_sqlite_template,
)
from tests.incidents.conftest import run_flows

__all__ = ["aksai_data", "db_url", "districts_pg_template", "districts_sqlite_template", "run_flows",
           "seeded_pg_template", "seeded_sqlite_template"]

# A point in Aksai's centre and one far outside Burlinsky district.
AKSAI = (53.0115, 51.1739)
OUTSIDE = (60.0, 45.0)
