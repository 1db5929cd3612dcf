"""Fixtures of the enforcement tests: the district boundary devices need, and databases holding the Aksai city
model (section control measures over its drive graph), copied from the city tests' seeded templates."""

from __future__ import annotations

from tests.city.conftest import aksai_data, db_url, empty_city, seeded_pg_template, seeded_sqlite_template
from tests.devices.conftest import district_boundary

__all__ = ["aksai_data", "db_url", "district_boundary", "empty_city", "seeded_pg_template", "seeded_sqlite_template"]
