"""roads (issue 12): violations opened by the running pipeline, road limits, section entries

The city edges keep their way's own OSM maxspeed (speed_kmh mixes it with highway defaults); the passages of
plates at speed points wait in a table for the section's other end, so a restart loses none.

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

UTC = qorgau.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("city_edges") as batch:
        batch.add_column(sa.Column("maxspeed_kmh", sa.Float(), nullable=True))
    with op.batch_alter_table("violations") as batch:
        batch.add_column(sa.Column("export_id", sa.String(length=36), nullable=True))
    op.create_table(
        "roads_section_passages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("device_code", sa.String(length=32), nullable=False),
        sa.Column("passed_at", UTC, nullable=False),
        sa.Column("limit_kmh", sa.Float(), nullable=False),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("plate_crop", sa.LargeBinary(), nullable=True),
        sa.Column("plate_confidence", sa.Float(), nullable=True),
        sa.Column("read_id", sa.Integer(), nullable=True),
        sa.Column("clip", sa.JSON(), nullable=False),
        sa.Column("time_source", sa.String(length=64), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roads_section_passages")),
    )
    op.create_index("ix_roads_section_passages_plate", "roads_section_passages", ["plate", "passed_at"],
                    unique=False)
    op.create_index("ix_roads_section_passages_passed_at", "roads_section_passages", ["passed_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_roads_section_passages_passed_at", table_name="roads_section_passages")
    op.drop_index("ix_roads_section_passages_plate", table_name="roads_section_passages")
    op.drop_table("roads_section_passages")
    with op.batch_alter_table("violations") as batch:
        batch.drop_column("export_id")
    with op.batch_alter_table("city_edges") as batch:
        batch.drop_column("maxspeed_kmh")
