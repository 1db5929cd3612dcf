"""city model: boundary, street graphs, places, population cells

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('city_models',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('licence', sa.String(length=300), nullable=False),
    sa.Column('generated', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('boundary', sa.JSON(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('node_count', sa.Integer(), nullable=False),
    sa.Column('edge_count', sa.Integer(), nullable=False),
    sa.Column('place_count', sa.Integer(), nullable=False),
    sa.Column('cell_count', sa.Integer(), nullable=False),
    sa.Column('attrs', sa.JSON(), nullable=False),
    sa.Column('created_at', qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_city_models')),
    sa.UniqueConstraint('name', name=op.f('uq_city_models_name'))
    )
    with op.batch_alter_table('city_models', schema=None) as batch_op:
        batch_op.create_index('uq_city_models_one_active', ['active'], unique=True,
                              sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))

    op.create_table('city_nodes',
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('idx', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('osm_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['model_id'], ['city_models.id'], name=op.f('fk_city_nodes_model_id_city_models'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('model_id', 'idx', name=op.f('pk_city_nodes'))
    )
    op.create_table('city_places',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_kk', sa.String(length=200), nullable=True),
    sa.Column('name_ru', sa.String(length=200), nullable=True),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('search_key', sa.String(length=1000), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('geometry', sa.JSON(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('generated', sa.Boolean(), nullable=False),
    sa.Column('attrs', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['city_models.id'], name=op.f('fk_city_places_model_id_city_models'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['settlement_id'], ['city_places.id'], name=op.f('fk_city_places_settlement_id_city_places'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_city_places'))
    )
    with op.batch_alter_table('city_places', schema=None) as batch_op:
        batch_op.create_index('ix_city_places_model_bbox', ['model_id', 'min_lon', 'max_lon'], unique=False)
        batch_op.create_index('ix_city_places_model_kind_id', ['model_id', 'kind', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_city_places_settlement_id'), ['settlement_id'], unique=False)

    op.create_table('city_edges',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Integer(), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('length_m', sa.Float(), nullable=False),
    sa.Column('speed_kmh', sa.Float(), nullable=False),
    sa.Column('drive', sa.Boolean(), nullable=False),
    sa.Column('walk', sa.Boolean(), nullable=False),
    sa.Column('oneway', sa.Boolean(), nullable=False),
    sa.Column('highway', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('generated', sa.Boolean(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('osm_way_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['model_id'], ['city_models.id'], name=op.f('fk_city_edges_model_id_city_models'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_city_edges'))
    )
    with op.batch_alter_table('city_edges', schema=None) as batch_op:
        batch_op.create_index('ix_city_edges_model_lon_lat', ['model_id', 'lon', 'lat'], unique=False)

    op.create_table('city_population_cells',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('gx', sa.Integer(), nullable=False),
    sa.Column('gy', sa.Integer(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('residents', sa.Integer(), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=True),
    sa.Column('generated', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['city_models.id'], name=op.f('fk_city_population_cells_model_id_city_models'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['settlement_id'], ['city_places.id'], name=op.f('fk_city_population_cells_settlement_id_city_places'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_city_population_cells')),
    sa.UniqueConstraint('model_id', 'gx', 'gy', name='uq_city_population_cells_model_cell')
    )
    with op.batch_alter_table('city_population_cells', schema=None) as batch_op:
        batch_op.create_index('ix_city_population_cells_model_lon_lat', ['model_id', 'lon', 'lat'], unique=False)
        batch_op.create_index(batch_op.f('ix_city_population_cells_settlement_id'), ['settlement_id'], unique=False)


def downgrade() -> None:
    op.drop_table('city_population_cells')
    op.drop_table('city_edges')
    op.drop_table('city_places')
    op.drop_table('city_nodes')
    op.drop_table('city_models')
