"""residents' feedback: one row per answered appeal or closed incident, from its one-time link to the answer
(ADR 0033)

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("subject_number", sa.String(length=32), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("requested_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("expires_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("entered_by", sa.String(length=120), nullable=True),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.CheckConstraint("(appeal_id IS NULL) <> (incident_id IS NULL)", name=op.f("ck_feedback_one_subject")),
        sa.CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name=op.f("ck_feedback_score_range")),
        sa.ForeignKeyConstraint(["district_id"], ["districts.id"], name=op.f("fk_feedback_district_id_districts"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_feedback_incident_id_incidents"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["inspector_id"], ["users.id"], name=op.f("fk_feedback_inspector_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("appeal_id", name=op.f("uq_feedback_appeal_id")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_feedback_incident_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feedback_token_hash")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_answered_at"), ["answered_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_inspector_id"), ["inspector_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_requested_at"), ["requested_at"], unique=False)


def downgrade() -> None:
    op.drop_table("feedback")
