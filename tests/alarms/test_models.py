"""The alarm tables as migration 0007 creates them match the models, on SQLite and PostgreSQL."""

from __future__ import annotations

from qorgau.core.db import Database
from qorgau.core.migrate import pending_diff
from qorgau.domains import load_models

ALARM_TABLES = ("alarms", "alarm_rules", "alarm_procedures", "alarm_procedure_steps", "alarm_steps")


def _table_of(item: object) -> str | None:
    first = item[0] if isinstance(item, list) else item
    for part in first if isinstance(first, tuple) else ():
        name = getattr(part, "name", None) if not isinstance(part, str) else None
        table = getattr(part, "table", None)
        if table is not None and getattr(table, "name", None):
            return str(table.name)
        if name:
            return str(name)
        if isinstance(part, str) and part in ALARM_TABLES:
            return part
    return None


def test_alarm_models_and_migration_agree(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = [item for item in pending_diff(conn, load_models=load_models) if _table_of(item) in ALARM_TABLES]
    assert diff == []
