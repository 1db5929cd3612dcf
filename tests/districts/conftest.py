"""Districts fixtures: a migrated database holding the generated Aksai model and its seeded districts.

Seeding the districts creates 12 inspector accounts (argon2, about half a second each), so it runs once per
database kind into a template that each test copies, as the city tests do with the model.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from qorgau.core.db import Database
from qorgau.domains import load_models
from tests.city.conftest import aksai_data, seeded_pg_template, seeded_sqlite_template
from tests.conftest import CLI_ACTOR, _pg_admin, _sa_url, copied_database

__all__ = ["aksai_data", "seeded_pg_template", "seeded_sqlite_template"]
RECEPTION = {"days": [0, 1, 2, 3, 4], "from": "17:00", "to": "20:00"}


def _seed(url: str) -> None:
    from qorgau.districts.seed import seed_aksai

    load_models()
    database = Database(url)
    try:
        with database.unit_of_work() as session:
            seed_aksai(session, actor=CLI_ACTOR, default_reception=RECEPTION)
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def districts_sqlite_template(seeded_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("districts") / "seeded.db"
    path.write_bytes(seeded_sqlite_template.read_bytes())
    _seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def districts_pg_template(seeded_pg_template: str) -> Iterator[str]:
    name = f"qorgau_districts_{uuid.uuid4().hex[:8]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{seeded_pg_template}"')
    _seed(_sa_url(name))
    yield name
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of each kind holding the Aksai model and its generated districts (version 1)."""
    template = request.getfixturevalue(
        "districts_sqlite_template" if request.param == "sqlite" else "districts_pg_template")
    with copied_database(template, tmp_path) as url:
        yield url
