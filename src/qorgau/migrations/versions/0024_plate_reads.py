"""number plate reads, watch lists and their hits (issue 12, ADR 0041); the default alarm rule and procedure for a
plate that matched a watch list

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db
from qorgau.core.db import UTCDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

CODE = "plate_hit"  # the procedure's code and its first rule's (qorgau.alarms.seed)
RULE_CODES = ("plate_hit", "plate_hit_other")  # wanted or stolen: priority 8; any other list: 60


def upgrade() -> None:
    """The reads, the lists, their entries and the hits; then the rule and procedure where missing."""
    op.create_table(
        "roads_plate_reads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("plate_key", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=24), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("foreign", sa.Boolean(), nullable=False),
        sa.Column("region", sa.String(length=4), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("crop", sa.LargeBinary(), nullable=False),
        sa.Column("snapshot", sa.LargeBinary(), nullable=True),
        sa.Column("vehicle_class", sa.String(length=24), nullable=True),
        sa.Column("colour", sa.String(length=24), nullable=True),
        sa.Column("direction", sa.String(length=8), nullable=True),
        sa.Column("heading_deg", sa.Float(), nullable=True),
        sa.Column("lane", sa.Integer(), nullable=True),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("kept", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_roads_plate_reads_device_id_devices"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roads_plate_reads")),
    )
    with op.batch_alter_table("roads_plate_reads", schema=None) as batch_op:
        batch_op.create_index("ix_roads_plate_reads_plate", ["plate", "seen_at"], unique=False)
        batch_op.create_index("ix_roads_plate_reads_key", ["plate_key", "seen_at"], unique=False)
        batch_op.create_index("ix_roads_plate_reads_camera", ["device_id", "seen_at"], unique=False)
        batch_op.create_index("ix_roads_plate_reads_seen_at", ["seen_at", "id"], unique=False)
    op.create_table(
        "roads_watchlists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=400), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roads_watchlists")),
        sa.UniqueConstraint("name", name=op.f("uq_roads_watchlists_name")),
    )
    op.create_table(
        "roads_watchlist_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("watchlist_id", sa.Integer(), nullable=False),
        sa.Column("pattern", sa.String(length=24), nullable=False),
        sa.Column("pattern_key", sa.String(length=24), nullable=False),
        sa.Column("exact", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=400), nullable=False),
        sa.Column("added_by", sa.String(length=120), nullable=False),
        sa.Column("added_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", qorgau.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["watchlist_id"], ["roads_watchlists.id"],
                                name=op.f("fk_roads_watchlist_entries_watchlist_id_roads_watchlists"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roads_watchlist_entries")),
        sa.UniqueConstraint("watchlist_id", "pattern", name="uq_roads_watchlist_entries_pattern"),
    )
    with op.batch_alter_table("roads_watchlist_entries", schema=None) as batch_op:
        batch_op.create_index("ix_roads_watchlist_entries_key", ["pattern_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_roads_watchlist_entries_watchlist_id"), ["watchlist_id"], unique=False)
    op.create_table(
        "roads_plate_hits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("read_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("watchlist_id", sa.Integer(), nullable=True),
        sa.Column("watchlist_name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("pattern", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.String(length=400), nullable=False),
        sa.Column("at", qorgau.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["read_id"], ["roads_plate_reads.id"],
                                name=op.f("fk_roads_plate_hits_read_id_roads_plate_reads"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entry_id"], ["roads_watchlist_entries.id"],
                                name=op.f("fk_roads_plate_hits_entry_id_roads_watchlist_entries"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["watchlist_id"], ["roads_watchlists.id"],
                                name=op.f("fk_roads_plate_hits_watchlist_id_roads_watchlists"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roads_plate_hits")),
    )
    with op.batch_alter_table("roads_plate_hits", schema=None) as batch_op:
        batch_op.create_index("ix_roads_plate_hits_at", ["at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_roads_plate_hits_read_id"), ["read_id"], unique=False)
    _install_rule()


def _install_rule() -> None:
    from qorgau.alarms.seed import rows
    from qorgau.core.time import utcnow

    bind = op.get_bind()
    meta = sa.MetaData()
    # Reflected as they stand at this revision; the times keep the type that stores them as the app reads them.
    procedures = sa.Table("alarm_procedures", meta, sa.Column("updated_at", UTCDateTime()), autoload_with=bind)
    steps = sa.Table("alarm_procedure_steps", meta, autoload_with=bind)
    rules = sa.Table("alarm_rules", meta, sa.Column("created_at", UTCDateTime()),
                     sa.Column("updated_at", UTCDateTime()), autoload_with=bind)
    defaults = rows(utcnow())
    if bind.execute(sa.select(procedures.c.code).where(procedures.c.code == CODE)).first() is None:
        _insert(procedures, [row for row in defaults.procedures if row["code"] == CODE])
        _insert(steps, [row for row in defaults.steps if row["procedure_code"] == CODE])
    have = set(bind.execute(sa.select(rules.c.code).where(rules.c.code.in_(RULE_CODES))).scalars())
    _insert(rules, [row for row in defaults.rules if row["code"] in RULE_CODES and row["code"] not in have])


def _insert(table: sa.Table, data: list[dict[str, object]]) -> None:
    """Insert through this revision's reflected table, keeping only the columns it has."""
    if not data:
        return
    names = set(table.columns.keys())
    op.bulk_insert(table, [{k: v for k, v in row.items() if k in names} for row in data])


def downgrade() -> None:
    """Drop the rule, the procedure and the tables."""
    for code in RULE_CODES:
        op.execute(sa.text("DELETE FROM alarm_rules WHERE code = :code").bindparams(code=code))
    op.execute(sa.text("DELETE FROM alarm_procedure_steps WHERE procedure_code = :code").bindparams(code=CODE))
    op.execute(sa.text("DELETE FROM alarm_procedures WHERE code = :code").bindparams(code=CODE))
    op.drop_table("roads_plate_hits")
    op.drop_table("roads_watchlist_entries")
    op.drop_table("roads_watchlists")
    op.drop_table("roads_plate_reads")
