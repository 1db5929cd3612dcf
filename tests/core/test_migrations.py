from sqlalchemy import inspect

from qorgau.core.db import Database
from qorgau.core.migrate import downgrade, is_at_head, pending_diff, upgrade
from qorgau.domains import load_models


def test_models_and_migrations_agree(db: Database) -> None:
    with db.engine.connect() as conn:
        assert is_at_head(conn)
        assert pending_diff(conn, load_models=load_models) == []


def test_downgrade_to_base_and_back(db: Database) -> None:
    db.dispose()
    downgrade(db.url, "base")
    assert "users" not in inspect(db.engine).get_table_names()
    upgrade(db.url)
    with db.engine.connect() as conn:
        assert is_at_head(conn)
