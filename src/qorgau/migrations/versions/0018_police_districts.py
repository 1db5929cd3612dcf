"""police districts and inspectors (area F): dated district sets, districts, their inspectors

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "district_sets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("area", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["city_models.id"], name=op.f("fk_district_sets_model_id_city_models"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_sets")),
        sa.UniqueConstraint("model_id", "version", name="uq_district_sets_model_version"),
    )
    with op.batch_alter_table("district_sets", schema=None) as batch_op:
        batch_op.create_index("ix_district_sets_model_valid_from", ["model_id", "valid_from"], unique=False)
    op.create_table(
        "districts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name_kk", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("residents", sa.Float(), nullable=False),
        sa.Column("site_code", sa.String(length=32), nullable=True),
        sa.Column("reception", sa.JSON(), nullable=False),
        sa.Column("contacts", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["set_id"], ["district_sets.id"], name=op.f("fk_districts_set_id_district_sets"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_districts")),
        sa.UniqueConstraint("set_id", "number", name="uq_districts_set_number"),
    )
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_districts_set_id"), ["set_id"], unique=False)
    op.create_table(
        "district_inspectors",
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["district_id"], ["districts.id"],
                                name=op.f("fk_district_inspectors_district_id_districts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_district_inspectors_user_id_users"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("district_id", "user_id", name=op.f("pk_district_inspectors")),
    )
    with op.batch_alter_table("district_inspectors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_district_inspectors_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("district_inspectors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_district_inspectors_user_id"))
    op.drop_table("district_inspectors")
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_districts_set_id"))
    op.drop_table("districts")
    with op.batch_alter_table("district_sets", schema=None) as batch_op:
        batch_op.drop_index("ix_district_sets_model_valid_from")
    op.drop_table("district_sets")
