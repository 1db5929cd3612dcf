"""simulation: simulated devices and units, simulation runs

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("simulated", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("units", sa.Column("simulated", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "simulation_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("scale", sa.Float(), nullable=False),
        sa.Column("started_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.Column("started_by", sa.String(length=120), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_simulation_runs")),
    )
    with op.batch_alter_table("simulation_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_simulation_runs_ended_at"), ["ended_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("simulation_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_simulation_runs_ended_at"))
    op.drop_table("simulation_runs")
    with op.batch_alter_table("units") as batch:
        batch.drop_column("simulated")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("simulated")
