"""Coverage fixtures: a database holding the Aksai model and its police points (5 МОП and the department)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qorgau.core.db import Database
from qorgau.coverage import service
from qorgau.devices import sites
from qorgau.devices.city_planner import planner_for
from qorgau.devices.seed import build
from qorgau.domains import load_models
from tests.city.conftest import aksai_data, seeded_pg_template, seeded_sqlite_template
from tests.conftest import copied_database

__all__ = ["aksai_data", "seeded_pg_template", "seeded_sqlite_template"]


def add_police_points(url: str) -> None:
    """The registry's police sites as the seed places them on the model (the rest of the registry is not needed)."""
    load_models()
    database = Database(url)
    try:
        with database.unit_of_work() as session:
            planner = planner_for(session)
            assert planner is not None
            for fields in build(planner)[0]:
                if fields.kind in service.POLICE_KINDS:
                    sites.upsert(session, fields)
    finally:
        database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of each kind with the Aksai model and its police points."""
    name = "seeded_sqlite_template" if request.param == "sqlite" else "seeded_pg_template"
    with copied_database(request.getfixturevalue(name), tmp_path) as url:
        add_police_points(url)
        service.RESULTS.clear()
        yield url

