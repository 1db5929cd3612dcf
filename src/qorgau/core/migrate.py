"""Alembic, driven from Python so `qorgau migrate` and the tests use one code path."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("qorgau").joinpath("migrations")))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision(url: str = "sqlite://") -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def is_at_head(conn: Connection) -> bool:
    return current_revision(conn) == head_revision()


def pending_diff(conn: Connection, *, load_models: Callable[[], None]) -> list[Any]:
    """Differences between the migrated schema and the models that ``load_models`` imports (empty when they agree)."""
    from alembic.autogenerate import compare_metadata

    from qorgau.core.db import Base

    load_models()
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))
