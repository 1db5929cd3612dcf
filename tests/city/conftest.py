"""City fixtures: the Aksai model is seeded once per database kind per run into a template that each test copies.

`db_url` is overridden here: city tests get a migrated database that already holds the generated Aksai model
(active). A test that needs an empty database asks for the `empty_city` fixture.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from qorgau.city import service
from qorgau.city.aksai import build
from qorgau.city.dataset import ModelData
from qorgau.core.db import Database
from qorgau.domains import load_models
from tests.conftest import CLI_ACTOR, _pg_admin, _sa_url, copied_database


def _seed(url: str) -> None:
    load_models()
    database = Database(url)
    try:
        with database.unit_of_work() as session:
            service.seed_aksai(session, actor=CLI_ACTOR)
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def aksai_data() -> ModelData:
    """The generated model in memory (built once per run)."""
    return build()


@pytest.fixture(scope="session")
def seeded_sqlite_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("city") / "seeded.db"
    path.write_bytes(sqlite_template.read_bytes())
    _seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def seeded_pg_template(pg_template: str) -> Iterator[str]:
    name = f"qorgau_city_{uuid.uuid4().hex[:8]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    _seed(_sa_url(name))
    yield name
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_city() -> None:
    """Ask for this to get a database without the seeded model."""


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of each kind holding the Aksai model, unless the test asks for `empty_city`."""
    empty = "empty_city" in request.fixturenames
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template" if empty else "seeded_sqlite_template")
    else:
        template = request.getfixturevalue("pg_template" if empty else "seeded_pg_template")
    with copied_database(template, tmp_path) as url:
        yield url
