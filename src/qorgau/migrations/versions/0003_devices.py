"""device registry: sites, devices, protocol identifiers, health

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.crypto
import qorgau.core.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('device_registry_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.BigInteger(), nullable=False),
    sa.Column('health_revision', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_registry_revision'))
    )
    op.create_table('device_sites',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('subtype', sa.String(length=24), nullable=True),
    sa.Column('name_kk', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('search_text', sa.String(length=800), nullable=False),
    sa.Column('generated', sa.Boolean(), nullable=False),
    sa.Column('created_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_sites')),
    sa.UniqueConstraint('code', name=op.f('uq_device_sites_code'))
    )
    with op.batch_alter_table('device_sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_sites_kind'), ['kind'], unique=False)

    op.create_table('devices',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('purpose', sa.String(length=24), nullable=True),
    sa.Column('name_kk', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.Column('search_text', sa.String(length=800), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('heading_deg', sa.Float(), nullable=True),
    sa.Column('fov_deg', sa.Float(), nullable=True),
    sa.Column('range_m', sa.Float(), nullable=True),
    sa.Column('stream_main', sa.String(length=500), nullable=True),
    sa.Column('stream_sub', sa.String(length=500), nullable=True),
    sa.Column('username', qorgau.core.crypto.EncryptedText(), nullable=True),
    sa.Column('password', qorgau.core.crypto.EncryptedText(), nullable=True),
    sa.Column('dc09_key', qorgau.core.crypto.EncryptedText(), nullable=True),
    sa.Column('has_credentials', sa.Boolean(), nullable=False),
    sa.Column('has_dc09_key', sa.Boolean(), nullable=False),
    sa.Column('lifecycle', sa.String(length=16), nullable=False),
    sa.Column('health', sa.String(length=16), nullable=False),
    sa.Column('last_seen_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('offline_after', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('health_changed_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('supervision_interval_s', sa.Integer(), nullable=True),
    sa.Column('generated', sa.Boolean(), nullable=False),
    sa.Column('created_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decommissioned_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['device_sites.id'], name=op.f('fk_devices_site_id_device_sites'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('code', name=op.f('uq_devices_code')),
    sa.UniqueConstraint('stream_main', name=op.f('uq_devices_stream_main')),
    sa.UniqueConstraint('stream_sub', name=op.f('uq_devices_stream_sub'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_health'), ['health'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_lifecycle'), ['lifecycle'], unique=False)
        batch_op.create_index('ix_devices_lon_lat', ['lon', 'lat'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_offline_after'), ['offline_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_purpose'), ['purpose'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_site_id'), ['site_id'], unique=False)

    op.create_table('device_identifiers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('protocol', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_device_identifiers_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_identifiers')),
    sa.UniqueConstraint('device_id', 'protocol', name='uq_device_identifiers_device_protocol'),
    sa.UniqueConstraint('protocol', 'value', name='uq_device_identifiers_protocol_value')
    )
    op.create_table('device_zones',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_device_zones_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_zones')),
    sa.UniqueConstraint('device_id', 'number', name='uq_device_zones_device_number')
    )


def downgrade() -> None:
    op.drop_table('device_zones')
    op.drop_table('device_identifiers')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_site_id'))
        batch_op.drop_index(batch_op.f('ix_devices_purpose'))
        batch_op.drop_index(batch_op.f('ix_devices_offline_after'))
        batch_op.drop_index('ix_devices_lon_lat')
        batch_op.drop_index(batch_op.f('ix_devices_lifecycle'))
        batch_op.drop_index(batch_op.f('ix_devices_kind'))
        batch_op.drop_index(batch_op.f('ix_devices_health'))
    op.drop_table('devices')
    with op.batch_alter_table('device_sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_sites_kind'))
    op.drop_table('device_sites')
    op.drop_table('device_registry_revision')
