"""shift work: handovers, incidents merged into another, the index of closed alarms' history

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shift_handovers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("shift_start", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("shift_end", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("outgoing_user_id", sa.Integer(), nullable=False),
        sa.Column("outgoing_name", sa.String(length=64), nullable=False),
        sa.Column("outgoing_signed_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("incoming_user_id", sa.Integer(), nullable=True),
        sa.Column("incoming_name", sa.String(length=64), nullable=True),
        sa.Column("incoming_signed_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("incoming_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["outgoing_user_id"], ["users.id"],
                                name=op.f("fk_shift_handovers_outgoing_user_id_users"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["incoming_user_id"], ["users.id"],
                                name=op.f("fk_shift_handovers_incoming_user_id_users"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_handovers")),
    )
    with op.batch_alter_table("shift_handovers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_handovers_state"), ["state"], unique=False)
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_incidents_merged_into_id_incidents"), "incidents",
                                    ["merged_into_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.create_index("ix_alarms_history", ["state", "resolved_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.drop_index("ix_alarms_history")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_incidents_merged_into_id_incidents"), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
    with op.batch_alter_table("shift_handovers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_handovers_state"))
    op.drop_table("shift_handovers")
