"""scale-out (issue 18): the video node registry and the camera leases

Video workers on several hosts share the cameras by leases in the database (ADR 0055): each worker process is a
row of `video_nodes` renewed every few seconds; `video_camera_leases` says who records each camera until when,
with an epoch that grows at every change of holder (the fencing token).

Revision ID: 0028
Revises: 0027
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

UTC = qorgau.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "video_nodes",
        sa.Column("holder", sa.String(length=96), nullable=False),
        sa.Column("node", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("live_port", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("renewed_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("holder", name=op.f("pk_video_nodes")),
    )
    op.create_table(
        "video_camera_leases",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=96), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("acquired_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_video_camera_leases_device_id_devices"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_video_camera_leases")),
    )
    op.create_index("ix_video_camera_leases_holder", "video_camera_leases", ["holder"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_video_camera_leases_holder", table_name="video_camera_leases")
    op.drop_table("video_camera_leases")
    op.drop_table("video_nodes")
