"""the registry of offences (issue 14): the article list and the offences

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offence_articles",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("code_kind", sa.String(length=8), nullable=False),
        sa.Column("article", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=True),
        sa.Column("title_ru", sa.String(length=300), nullable=False),
        sa.Column("title_kk", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("offence_class", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=True),
        sa.Column("article_group", sa.String(length=32), nullable=False),
        sa.Column("editable", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_offence_articles")),
    )
    with op.batch_alter_table("offence_articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offence_articles_article_group"), ["article_group"], unique=False)
    op.create_table(
        "offences",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reg_number", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("committed_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("article_code", sa.String(length=32), nullable=False),
        sa.Column("offence_class", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=True),
        sa.Column("article_group", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("termination_ground", sa.String(length=64), nullable=True),
        sa.Column("status_on", sa.Date(), nullable=True),
        sa.Column("persons_identified", sa.Integer(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("settlement", sa.String(length=200), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("place_type", sa.String(length=16), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("call_ref", sa.String(length=40), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("draft", sa.Boolean(), nullable=False),
        sa.Column("created_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["article_code"], ["offence_articles.code"],
                                name=op.f("fk_offences_article_code_offence_articles"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["district_id"], ["districts.id"], name=op.f("fk_offences_district_id_districts"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_offences_incident_id_incidents"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offences")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_offences_incident_id")),
        sa.UniqueConstraint("reg_number", name=op.f("uq_offences_reg_number")),
    )
    with op.batch_alter_table("offences", schema=None) as batch_op:
        batch_op.create_index("ix_offences_registered_on", ["registered_on"], unique=False)
        batch_op.create_index("ix_offences_district_registered", ["district_id", "registered_on"], unique=False)
        batch_op.create_index("ix_offences_group_registered", ["article_group", "registered_on"], unique=False)
        batch_op.create_index("ix_offences_source", ["source"], unique=False)
        batch_op.create_index("ix_offences_updated_at", ["updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_offences_call_ref"), ["call_ref"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("offences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offences_call_ref"))
        batch_op.drop_index("ix_offences_updated_at")
        batch_op.drop_index("ix_offences_source")
        batch_op.drop_index("ix_offences_group_registered")
        batch_op.drop_index("ix_offences_district_registered")
        batch_op.drop_index("ix_offences_registered_on")
    op.drop_table("offences")
    with op.batch_alter_table("offence_articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offence_articles_article_group"))
    op.drop_table("offence_articles")
