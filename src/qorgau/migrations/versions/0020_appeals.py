"""residents' appeals: appeals, their timeline and attachments, the year counter and the calendar overrides
(ADR 0032)

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.crypto
import qorgau.core.db

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The tables, then the shipped calendar transfers."""
    op.create_table('appeal_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_appeal_counters'))
    )
    op.create_table('appeals',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('applicant_name', qorgau.core.crypto.EncryptedText(), nullable=False),
    sa.Column('applicant_contact', qorgau.core.crypto.EncryptedText(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('routed_manually', sa.Boolean(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('registered_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('due_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('extended', sa.Boolean(), nullable=False),
    sa.Column('extension_reason', sa.String(length=500), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('transferred_to', sa.String(length=300), nullable=True),
    sa.Column('transferred_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('overdue_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('simulated', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_appeals_district_id_districts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_appeals_inspector_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals')),
    sa.UniqueConstraint('number', name=op.f('uq_appeals_number'))
    )
    op.create_table('appeal_entries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=True),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_appeal_entries_appeal_id_appeals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_entries'))
    )
    op.create_table('appeal_attachments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=120), nullable=False),
    sa.Column('uploaded_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_appeal_attachments_appeal_id_appeals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_attachments'))
    )
    op.create_table('appeal_calendar',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_appeal_calendar'))
    )
    op.create_index(op.f('ix_appeals_registered_at'), 'appeals', ['registered_at'], unique=False)
    op.create_index('ix_appeals_state_deadline', 'appeals', ['state', 'deadline'], unique=False)
    op.create_index(op.f('ix_appeals_due_at'), 'appeals', ['due_at'], unique=False)
    op.create_index(op.f('ix_appeals_district_id'), 'appeals', ['district_id'], unique=False)
    op.create_index(op.f('ix_appeals_answered_at'), 'appeals', ['answered_at'], unique=False)
    op.create_index('ix_appeals_district_inspector', 'appeals', ['district_id', 'inspector_id'], unique=False)
    op.create_index(op.f('ix_appeals_inspector_id'), 'appeals', ['inspector_id'], unique=False)
    op.create_index(op.f('ix_appeal_entries_appeal_id'), 'appeal_entries', ['appeal_id'], unique=False)
    op.create_index(op.f('ix_appeal_attachments_appeal_id'), 'appeal_attachments', ['appeal_id'], unique=False)
    _seed_calendar()


def _seed_calendar() -> None:
    from qorgau.appeals.seed import TRANSFERS
    from qorgau.core.time import utcnow

    table = sa.table("appeal_calendar", sa.column("day", sa.Date()), sa.column("working", sa.Boolean()),
                     sa.column("reason", sa.String()), sa.column("created_by", sa.String()),
                     sa.column("created_at", qorgau.core.db.UTCDateTime()))
    now = utcnow()
    op.bulk_insert(table, [{"day": day, "working": working, "reason": reason, "created_by": "system:seed",
                            "created_at": now} for day, working, reason in TRANSFERS])


def downgrade() -> None:
    """Drop the appeals' tables."""
    for name in ("appeal_attachments", "appeal_entries", "appeals", "appeal_calendar", "appeal_counters"):
        op.drop_table(name)
