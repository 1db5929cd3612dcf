"""the official legal statistics forms (issue 14): imported forms and their reference figures

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "legal_form_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_form_imports")),
        sa.UniqueConstraint("form", "region", "period", name="uq_legal_form_imports_form_region_period"),
    )
    with op.batch_alter_table("legal_form_imports", schema=None) as batch_op:
        batch_op.create_index("ix_legal_form_imports_period_form", ["period", "form"], unique=False)
    op.create_table(
        "legal_figures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=48), nullable=False),
        sa.Column("measure", sa.String(length=48), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("cell", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["legal_form_imports.id"],
                                name=op.f("fk_legal_figures_import_id_legal_form_imports"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_figures")),
        sa.UniqueConstraint("import_id", "subject", "measure", name="uq_legal_figures_import_subject"),
    )


def downgrade() -> None:
    op.drop_table("legal_figures")
    with op.batch_alter_table("legal_form_imports", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_form_imports_period_form")
    op.drop_table("legal_form_imports")
