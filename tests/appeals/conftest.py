"""Appeals fixtures: the districts' migrated Aksai database (8 districts, one inspector or more each)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import copied_database
from tests.districts.conftest import (
    aksai_data,
    districts_pg_template,
    districts_sqlite_template,
    seeded_pg_template,
    seeded_sqlite_template,
)

__all__ = ["aksai_data", "districts_pg_template", "districts_sqlite_template", "seeded_pg_template",
           "seeded_sqlite_template"]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of each kind holding the Aksai model and its generated districts."""
    template = request.getfixturevalue(
        "districts_sqlite_template" if request.param == "sqlite" else "districts_pg_template")
    with copied_database(template, tmp_path) as url:
        yield url
