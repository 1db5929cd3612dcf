"""District report fixtures: the districts' migrated Aksai database (the report reads districts and residents)."""

from __future__ import annotations

from tests.districts.conftest import (
    aksai_data,
    db_url,
    districts_pg_template,
    districts_sqlite_template,
    seeded_pg_template,
    seeded_sqlite_template,
)

__all__ = ["aksai_data", "db_url", "districts_pg_template", "districts_sqlite_template", "seeded_pg_template",
           "seeded_sqlite_template"]
