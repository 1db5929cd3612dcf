"""webhooks: integrations with encrypted secrets, receipts for idempotency

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.crypto
import qorgau.core.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_integrations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("secret", qorgau.core.crypto.EncryptedText(), nullable=False),
        sa.Column("previous_secret", qorgau.core.crypto.EncryptedText(), nullable=True),
        sa.Column("previous_secret_until", qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=True),
        sa.Column("device_map", sa.JSON(), nullable=False),
        sa.Column("created_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("secret_rotated_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_integrations")),
        sa.UniqueConstraint("name", name=op.f("uq_webhook_integrations_name")),
    )
    op.create_table(
        "webhook_receipts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("vendor_event_id", sa.String(length=128), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["integration_id"], ["webhook_integrations.id"],
                                name=op.f("fk_webhook_receipts_integration_id_webhook_integrations"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_receipts")),
        sa.UniqueConstraint("integration_id", "vendor_event_id", name="uq_webhook_receipts_integration_event"),
    )
    with op.batch_alter_table("webhook_receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_receipts_received_at"), ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("webhook_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_receipts_received_at"))
    op.drop_table("webhook_receipts")
    op.drop_table("webhook_integrations")
