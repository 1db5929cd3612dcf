"""Districts fixtures: a migrated database holding the generated Aksai model (the city tests' templates)."""

from __future__ import annotations

from tests.city.conftest import aksai_data, db_url, seeded_pg_template, seeded_sqlite_template

__all__ = ["aksai_data", "db_url", "seeded_pg_template", "seeded_sqlite_template"]
