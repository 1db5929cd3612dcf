"""camera picture health: the reference view each camera's picture is compared with (ADR 0029)

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The reference views table, one row per camera."""
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


def downgrade() -> None:
    """Drop the reference views."""
    op.drop_table("video_picture_references")
