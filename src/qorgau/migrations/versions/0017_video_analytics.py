"""video analytics: rules per camera, detected objects, analytics events, line counts; the default alarm rules
and procedures for analytics events

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

UTC = qorgau.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    """The four analytics tables, then the alarm rules that turn analytics events into alarms."""
    op.create_table(
        "video_analytics_rules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=True),
        sa.Column("classes", sa.JSON(), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.Column("active_from_min", sa.Integer(), nullable=True),
        sa.Column("active_to_min", sa.Integer(), nullable=True),
        sa.Column("threshold_s", sa.Float(), nullable=True),
        sa.Column("threshold_count", sa.Integer(), nullable=True),
        sa.Column("alert", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_video_analytics_rules_device_id_devices"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_analytics_rules")),
    )
    with op.batch_alter_table("video_analytics_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_video_analytics_rules_device_id"), ["device_id"], unique=False)

    op.create_table(
        "video_analytics_objects",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("first_seen", UTC, nullable=False),
        sa.Column("last_seen", UTC, nullable=False),
        sa.Column("best_at", UTC, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("box", sa.JSON(), nullable=False),
        sa.Column("zones", sa.String(length=400), nullable=False),
        sa.Column("thumbnail", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"],
                                name=op.f("fk_video_analytics_objects_device_id_devices"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_analytics_objects")),
    )
    with op.batch_alter_table("video_analytics_objects", schema=None) as batch_op:
        batch_op.create_index("ix_video_analytics_objects_camera", ["device_id", "first_seen", "id"], unique=False)
        batch_op.create_index("ix_video_analytics_objects_first_seen", ["first_seen", "id"], unique=False)

    op.create_table(
        "video_analytics_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("rule_name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=True),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(length=16), nullable=True),
        sa.Column("box", sa.JSON(), nullable=True),
        sa.Column("snapshot", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"],
                                name=op.f("fk_video_analytics_events_device_id_devices"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["rule_id"], ["video_analytics_rules.id"],
                                name=op.f("fk_video_analytics_events_rule_id_video_analytics_rules"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_analytics_events")),
    )
    with op.batch_alter_table("video_analytics_events", schema=None) as batch_op:
        batch_op.create_index("ix_video_analytics_events_at", ["at", "id"], unique=False)
        batch_op.create_index("ix_video_analytics_events_camera", ["device_id", "at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_video_analytics_events_rule_id"), ["rule_id"], unique=False)

    op.create_table(
        "video_line_counts",
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("bucket", UTC, nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["rule_id"], ["video_analytics_rules.id"],
                                name=op.f("fk_video_line_counts_rule_id_video_analytics_rules"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("rule_id", "bucket", "direction", "label", name=op.f("pk_video_line_counts")),
    )
    _alarm_defaults()


ALARM_CODES = ("video_intrusion", "video_loitering", "video_crowd", "video_stopped_vehicle", "video_line")
PROCEDURE_CODES = ("video_intrusion", "video_loitering", "video_crowd", "video_stopped_vehicle")


def _alarm_defaults() -> None:
    """Add the analytics alarm rules and procedures where missing (0007 installs them in a new database)."""
    from qorgau.alarms.seed import rows
    from qorgau.core.time import utcnow

    bind = op.get_bind()
    meta = sa.MetaData()
    # Reflected as they stand at this revision; the times keep the type that stores them as the app reads them.
    procedures = sa.Table("alarm_procedures", meta, sa.Column("updated_at", UTC), autoload_with=bind)
    steps = sa.Table("alarm_procedure_steps", meta, autoload_with=bind)
    rules = sa.Table("alarm_rules", meta, sa.Column("created_at", UTC), sa.Column("updated_at", UTC),
                     autoload_with=bind)
    defaults = rows(utcnow())
    have_procedures = {row[0] for row in bind.execute(sa.select(procedures.c.code))}
    have_rules = {row[0] for row in bind.execute(sa.select(rules.c.code))}
    new = [code for code in PROCEDURE_CODES if code not in have_procedures]
    _insert(procedures, [row for row in defaults.procedures if row["code"] in new])
    _insert(steps, [row for row in defaults.steps if row["procedure_code"] in new])
    _insert(rules, [row for row in defaults.rules if row["code"] in ALARM_CODES and row["code"] not in have_rules])


def _insert(table: sa.Table, data: list[dict[str, object]]) -> None:
    """Insert through this revision's reflected table, keeping only the columns it has."""
    names = set(table.columns.keys())
    if data:
        op.bulk_insert(table, [{k: v for k, v in row.items() if k in names} for row in data])


def downgrade() -> None:
    for code in ALARM_CODES:
        op.execute(sa.text("DELETE FROM alarm_rules WHERE code = :code").bindparams(code=code))
    for code in PROCEDURE_CODES:
        op.execute(sa.text("DELETE FROM alarm_procedure_steps WHERE procedure_code = :code").bindparams(code=code))
        op.execute(sa.text("DELETE FROM alarm_procedures WHERE code = :code").bindparams(code=code))
    op.drop_table("video_line_counts")
    with op.batch_alter_table("video_analytics_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_video_analytics_events_rule_id"))
        batch_op.drop_index("ix_video_analytics_events_camera")
        batch_op.drop_index("ix_video_analytics_events_at")
    op.drop_table("video_analytics_events")
    with op.batch_alter_table("video_analytics_objects", schema=None) as batch_op:
        batch_op.drop_index("ix_video_analytics_objects_first_seen")
        batch_op.drop_index("ix_video_analytics_objects_camera")
    op.drop_table("video_analytics_objects")
    with op.batch_alter_table("video_analytics_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_video_analytics_rules_device_id"))
    op.drop_table("video_analytics_rules")
