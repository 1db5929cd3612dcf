"""speed and red-light violations (issue 12): calibrations, enforcement points, signal phases, fines tables,
violations with their review

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

UTC = qorgau.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "camera_calibrations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device_code", sa.String(length=32), nullable=False),
        sa.Column("image_points", sa.JSON(), nullable=False),
        sa.Column("plane_points", sa.JSON(), nullable=False),
        sa.Column("matrix", sa.JSON(), nullable=False),
        sa.Column("rms_m", sa.Float(), nullable=False),
        sa.Column("max_m", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_by_name", sa.String(length=128), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera_calibrations")),
    )
    op.create_index("ix_camera_calibrations_device_id", "camera_calibrations", ["device_code", "id"], unique=False)
    op.create_table(
        "enforcement_points",
        sa.Column("device_code", sa.String(length=32), nullable=False),
        sa.Column("limit_kmh", sa.Float(), nullable=True),
        sa.Column("stop_line", sa.JSON(), nullable=True),
        sa.Column("lamp_roi", sa.JSON(), nullable=True),
        sa.Column("controller", sa.String(length=64), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("device_code", name=op.f("pk_enforcement_points")),
    )
    op.create_table(
        "signal_phase_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("controller", sa.String(length=64), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_phase_changes")),
    )
    op.create_index("ix_signal_phase_changes_controller_at", "signal_phase_changes", ["controller", "at"],
                    unique=False)
    op.create_table(
        "violation_fine_tables",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("table", sa.JSON(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violation_fine_tables")),
    )
    op.create_table(
        "violations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("device_code", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", UTC, nullable=False),
        sa.Column("time_source", sa.String(length=64), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("plate_text", sa.String(length=16), nullable=True),
        sa.Column("plate_confidence", sa.Float(), nullable=True),
        sa.Column("read_id", sa.Integer(), nullable=True),
        sa.Column("measured_kmh", sa.Float(), nullable=True),
        sa.Column("sigma_kmh", sa.Float(), nullable=True),
        sa.Column("limit_kmh", sa.Float(), nullable=True),
        sa.Column("phase", sa.String(length=8), nullable=True),
        sa.Column("phase_source", sa.String(length=16), nullable=True),
        sa.Column("red_for_s", sa.Float(), nullable=True),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("calibration_id", sa.Integer(), nullable=True),
        sa.Column("calibrated_at", UTC, nullable=True),
        sa.Column("article", sa.String(length=16), nullable=True),
        sa.Column("part", sa.String(length=8), nullable=True),
        sa.Column("fine_mrp", sa.Float(), nullable=True),
        sa.Column("evidence", sa.String(length=64), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_by_name", sa.String(length=128), nullable=True),
        sa.Column("reviewed_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violations")),
    )
    op.create_index("ix_violations_status_id", "violations", ["status", "id"], unique=False)
    op.create_index("ix_violations_device_code", "violations", ["device_code"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_violations_device_code", table_name="violations")
    op.drop_index("ix_violations_status_id", table_name="violations")
    op.drop_table("violations")
    op.drop_table("violation_fine_tables")
    op.drop_index("ix_signal_phase_changes_controller_at", table_name="signal_phase_changes")
    op.drop_table("signal_phase_changes")
    op.drop_table("enforcement_points")
    op.drop_index("ix_camera_calibrations_device_id", table_name="camera_calibrations")
    op.drop_table("camera_calibrations")
