"""voice calls (issue 15): SOS and 102 calls, their legs, queue and recordings

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.crypto
import qorgau.core.db

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

UTC = qorgau.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "voice_calls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("sip_call_id", sa.String(length=255), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("device_code", sa.String(length=32), nullable=True),
        sa.Column("caller", qorgau.core.crypto.EncryptedText(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("codec", sa.String(length=16), nullable=True),
        sa.Column("offered_at", UTC, nullable=False),
        sa.Column("waiting_since", UTC, nullable=True),
        sa.Column("media_started_at", UTC, nullable=True),
        sa.Column("answered_at", UTC, nullable=True),
        sa.Column("ended_at", UTC, nullable=True),
        sa.Column("end_reason", sa.String(length=24), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_by_name", sa.String(length=64), nullable=True),
        sa.Column("transfer_to_id", sa.Integer(), nullable=True),
        sa.Column("transfer_to_name", sa.String(length=64), nullable=True),
        sa.Column("leg_id", sa.String(length=64), nullable=True),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("muted", sa.Boolean(), nullable=False),
        sa.Column("escalate_at", UTC, nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("escalated_at", UTC, nullable=True),
        sa.Column("alarm_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("callback_of_id", sa.Integer(), nullable=True),
        sa.Column("recording_path", sa.String(length=500), nullable=True),
        sa.Column("recording_sha256", sa.String(length=64), nullable=True),
        sa.Column("recording_duration_s", sa.Float(), nullable=True),
        sa.Column("recording_size", sa.BigInteger(), nullable=True),
        sa.Column("recording_media_type", sa.String(length=64), nullable=True),
        sa.Column("recording_deleted", sa.Boolean(), nullable=False),
        sa.Column("kept", sa.Boolean(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["answered_by_id"], ["users.id"], name=op.f("fk_voice_calls_answered_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["transfer_to_id"], ["users.id"], name=op.f("fk_voice_calls_transfer_to_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["callback_of_id"], ["voice_calls.id"],
                                name=op.f("fk_voice_calls_callback_of_id_voice_calls"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_calls")),
        sa.UniqueConstraint("sip_call_id", name=op.f("uq_voice_calls_sip_call_id")),
    )
    op.create_index("ix_voice_calls_state_offered", "voice_calls", ["state", "offered_at", "id"], unique=False)
    op.create_index("ix_voice_calls_retention", "voice_calls", ["recording_deleted", "ended_at"], unique=False)
    op.create_index(op.f("ix_voice_calls_device_code"), "voice_calls", ["device_code"], unique=False)
    op.create_index(op.f("ix_voice_calls_escalate_at"), "voice_calls", ["escalate_at"], unique=False)
    op.create_index(op.f("ix_voice_calls_alarm_id"), "voice_calls", ["alarm_id"], unique=False)
    op.create_index(op.f("ix_voice_calls_incident_id"), "voice_calls", ["incident_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_voice_calls_incident_id"), table_name="voice_calls")
    op.drop_index(op.f("ix_voice_calls_alarm_id"), table_name="voice_calls")
    op.drop_index(op.f("ix_voice_calls_escalate_at"), table_name="voice_calls")
    op.drop_index(op.f("ix_voice_calls_device_code"), table_name="voice_calls")
    op.drop_index("ix_voice_calls_retention", table_name="voice_calls")
    op.drop_index("ix_voice_calls_state_offered", table_name="voice_calls")
    op.drop_table("voice_calls")
