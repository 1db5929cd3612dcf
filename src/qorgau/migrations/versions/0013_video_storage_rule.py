"""video storage rule: databases made before it get the default rule and procedure for a recording volume
that is full, missing or failing

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qorgau.core.db import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

CODE = "video_storage"  # the rule's and the procedure's code (qorgau.alarms.seed)


def upgrade() -> None:
    """Add the default rule and its procedure where missing (0007 installs them in a new database already)."""
    from qorgau.alarms.seed import rows
    from qorgau.core.time import utcnow

    bind = op.get_bind()
    meta = sa.MetaData()
    # Reflected as they stand at this revision; the times keep the type that stores them as the app reads them.
    procedures = sa.Table("alarm_procedures", meta, sa.Column("updated_at", UTCDateTime()), autoload_with=bind)
    steps = sa.Table("alarm_procedure_steps", meta, autoload_with=bind)
    rules = sa.Table("alarm_rules", meta, sa.Column("created_at", UTCDateTime()),
                     sa.Column("updated_at", UTCDateTime()), autoload_with=bind)
    defaults = rows(utcnow())
    if bind.execute(sa.select(procedures.c.code).where(procedures.c.code == CODE)).first() is None:
        _insert(procedures, [row for row in defaults.procedures if row["code"] == CODE])
        _insert(steps, [row for row in defaults.steps if row["procedure_code"] == CODE])
    if bind.execute(sa.select(rules.c.code).where(rules.c.code == CODE)).first() is None:
        _insert(rules, [row for row in defaults.rules if row["code"] == CODE])


def _insert(table: sa.Table, data: list[dict[str, object]]) -> None:
    """Insert through this revision's reflected table, keeping only the columns it has."""
    names = set(table.columns.keys())
    op.bulk_insert(table, [{k: v for k, v in row.items() if k in names} for row in data])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM alarm_rules WHERE code = :code").bindparams(code=CODE))
    op.execute(sa.text("DELETE FROM alarm_procedure_steps WHERE procedure_code = :code").bindparams(code=CODE))
    op.execute(sa.text("DELETE FROM alarm_procedures WHERE code = :code").bindparams(code=CODE))
