"""camera picture health: the reference view each camera's picture is compared with, and the default alarm rule and
procedure for a camera whose picture is frozen, covered, out of focus or turned away (ADR 0029)

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db
from qorgau.core.db import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

CODE = "camera_picture"  # the rule's and the procedure's code (qorgau.alarms.seed)


def upgrade() -> None:
    """The reference views table, one row per camera; then the rule and procedure where missing (0007 installs
    them in a new database already)."""
    op.create_table(
        "video_picture_references",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("sharpness", sa.JSON(), nullable=False),
        sa.Column("blur", sa.JSON(), nullable=False),
        sa.Column("learned_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_video_picture_references_device_id_devices"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_video_picture_references")),
    )
    _install_rule()


def _install_rule() -> None:
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
    """Drop the reference views, the rule and the procedure."""
    op.execute(sa.text("DELETE FROM alarm_rules WHERE code = :code").bindparams(code=CODE))
    op.execute(sa.text("DELETE FROM alarm_procedure_steps WHERE procedure_code = :code").bindparams(code=CODE))
    op.execute(sa.text("DELETE FROM alarm_procedures WHERE code = :code").bindparams(code=CODE))
    op.drop_table("video_picture_references")
