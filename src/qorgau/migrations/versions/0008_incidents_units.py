"""incidents and units: incidents, transitions, notes, links, categories, alarm copies; units, crew, trackers,
positions, assignments

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.crypto
import qorgau.core.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
# The categories as of this revision (a migration must not change when the code's list does later).
CATEGORIES = {"assault": 10, "robbery": 10, "alarm": 20, "missing_person": 20, "domestic_conflict": 30,
              "traffic_accident": 30, "hooliganism": 50, "theft": 60, "public_order": 80, "drunk_person": 90,
              "other": 100, "fraud": 120, "noise": 150}
TABLES = ("unit_assignments", "incident_transitions", "incident_notes", "incident_links", "unit_trackers",
          "unit_positions", "unit_members", "incidents", "units", "incident_counters", "incident_categories",
          "incident_alarm_refs")


def upgrade() -> None:
    op.create_table('incident_alarm_refs',
    sa.Column('alarm_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('incident_category', sa.String(length=32), nullable=True),
    sa.Column('device_code', sa.String(length=32), nullable=True),
    sa.Column('site_code', sa.String(length=32), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('first_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('simulated', sa.Boolean(), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('alarm_id', name=op.f('pk_incident_alarm_refs'))
    )
    op.create_table('incident_categories',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('default_priority', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_incident_categories'))
    )
    op.create_table('incident_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_incident_counters'))
    )
    op.create_table('units',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('site_code', sa.String(length=32), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_changed_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('current_assignment_id', sa.Integer(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('position_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('position_source', sa.String(length=16), nullable=True),
    sa.Column('speed_kmh', sa.Float(), nullable=True),
    sa.Column('heading_deg', sa.Float(), nullable=True),
    sa.Column('created_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('code', name=op.f('uq_units_code'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_status'), ['status'], unique=False)

    op.create_table('incidents',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('alarm_id', sa.Integer(), nullable=True),
    sa.Column('caller_name', qorgau.core.crypto.EncryptedText(), nullable=True),
    sa.Column('caller_phone', qorgau.core.crypto.EncryptedText(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('area', sa.String(length=200), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('simulated', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('received_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dispatched_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('en_route_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('on_scene_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('state_changed_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category'], ['incident_categories.code'], name=op.f('fk_incidents_category_incident_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    sa.UniqueConstraint('alarm_id', name=op.f('uq_incidents_alarm_id')),
    sa.UniqueConstraint('number', name=op.f('uq_incidents_number'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incidents_area'), ['area'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_received_at'), ['received_at'], unique=False)
        batch_op.create_index('ix_incidents_state_priority', ['state', 'priority'], unique=False)

    op.create_table('unit_members',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_members_unit_id_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_unit_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_unit_members'))
    )
    with op.batch_alter_table('unit_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_members_unit_id'), ['unit_id'], unique=False)

    op.create_table('unit_positions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_positions_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_positions'))
    )
    with op.batch_alter_table('unit_positions', schema=None) as batch_op:
        batch_op.create_index('ix_unit_positions_unit_at', ['unit_id', 'at'], unique=False)

    op.create_table('unit_trackers',
    sa.Column('tracker_id', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_trackers_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tracker_id', name=op.f('pk_unit_trackers'))
    )
    with op.batch_alter_table('unit_trackers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_trackers_unit_id'), ['unit_id'], unique=False)

    op.create_table('incident_links',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_links_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_links')),
    sa.UniqueConstraint('incident_id', 'kind', 'ref', name='uq_incident_links_incident_kind_ref')
    )
    with op.batch_alter_table('incident_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_links_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_notes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('author', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_notes_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_notes'))
    )
    with op.batch_alter_table('incident_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_notes_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_transitions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_transitions_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_transitions'))
    )
    with op.batch_alter_table('incident_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_transitions_incident_id'), ['incident_id'], unique=False)

    op.create_table('unit_assignments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('dispatched_by', sa.String(length=120), nullable=False),
    sa.Column('dispatched_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('declined_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.String(length=300), nullable=True),
    sa.Column('en_route_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('on_scene_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('replaced_by', sa.Integer(), nullable=True),
    sa.Column('eta_s', sa.Float(), nullable=True),
    sa.Column('route', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_unit_assignments_incident_id_incidents'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_assignments_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_assignments'))
    )
    with op.batch_alter_table('unit_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_assignments_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_assignments_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_assignments_unit_id'), ['unit_id'], unique=False)

    categories = sa.table("incident_categories", sa.column("code", sa.String), sa.column("default_priority",
                          sa.Integer), sa.column("active", sa.Boolean))
    op.bulk_insert(categories, [{"code": code, "default_priority": priority, "active": True}
                                for code, priority in CATEGORIES.items()])


def downgrade() -> None:
    for name in TABLES:
        op.drop_table(name)
