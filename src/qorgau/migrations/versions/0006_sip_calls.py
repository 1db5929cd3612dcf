"""sip: call records of SOS terminals

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qorgau.core.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sip_calls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=255), nullable=False),
        sa.Column("device_code", sa.String(length=32), nullable=False),
        sa.Column("transport", sa.String(length=8), nullable=False),
        sa.Column("signal_host", sa.String(length=64), nullable=False),
        sa.Column("signal_port", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("ring_s", sa.Float(), nullable=True),
        sa.Column("talk_s", sa.Float(), nullable=True),
        sa.Column("codec", sa.String(length=16), nullable=True),
        sa.Column("payload_type", sa.Integer(), nullable=True),
        sa.Column("local_media_host", sa.String(length=64), nullable=True),
        sa.Column("local_media_port", sa.Integer(), nullable=True),
        sa.Column("remote_media_host", sa.String(length=64), nullable=True),
        sa.Column("remote_media_port", sa.Integer(), nullable=True),
        sa.Column("sdp_offer", sa.Text(), nullable=True),
        sa.Column("sdp_answer", sa.Text(), nullable=True),
        sa.Column("media_state", sa.String(length=16), nullable=False),
        sa.Column("recording_ref", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sip_calls")),
        sa.UniqueConstraint("device_code", "call_id", name="uq_sip_calls_device_code"),
    )
    op.create_index(op.f("ix_sip_calls_call_id"), "sip_calls", ["call_id"])
    op.create_index(op.f("ix_sip_calls_device_code"), "sip_calls", ["device_code"])
    op.create_index(op.f("ix_sip_calls_state"), "sip_calls", ["state"])
    op.create_index(op.f("ix_sip_calls_started_at"), "sip_calls", ["started_at"])


def downgrade() -> None:
    op.drop_table("sip_calls")
