"""alarms: procedures and steps, rules, alarms, step records; the default rules and procedures for Aksai

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qorgau.core.db import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    procedures = op.create_table(
        "alarm_procedures",
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_alarm_procedures")),
    )
    steps = op.create_table(
        "alarm_procedure_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("procedure_code", sa.String(length=48), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["procedure_code"], ["alarm_procedures.code"], ondelete="CASCADE",
                                name=op.f("fk_alarm_procedure_steps_procedure_code_alarm_procedures")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_procedure_steps")),
        sa.UniqueConstraint("procedure_code", "key", name="uq_alarm_procedure_steps_procedure_key"),
    )
    rules = op.create_table(
        "alarm_rules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("name_kk", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("event", sa.String(length=100), nullable=False),
        sa.Column("match", sa.JSON(), nullable=False),
        sa.Column("device_kind", sa.String(length=24), nullable=True),
        sa.Column("device_purpose", sa.String(length=24), nullable=True),
        sa.Column("site_kind", sa.String(length=24), nullable=True),
        sa.Column("site_subtype", sa.String(length=24), nullable=True),
        sa.Column("active_from_min", sa.Integer(), nullable=True),
        sa.Column("active_to_min", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("alarm_kind", sa.String(length=32), nullable=False),
        sa.Column("procedure_code", sa.String(length=48), nullable=True),
        sa.Column("auto_incident", sa.Boolean(), nullable=False),
        sa.Column("incident_category", sa.String(length=32), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["procedure_code"], ["alarm_procedures.code"], ondelete="RESTRICT",
                                name=op.f("fk_alarm_rules_procedure_code_alarm_procedures")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_rules")),
        sa.UniqueConstraint("code", name=op.f("uq_alarm_rules_code")),
    )
    op.create_index(op.f("ix_alarm_rules_event"), "alarm_rules", ["event"])
    op.create_table(
        "alarms",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fold_key", sa.String(length=240), nullable=False),
        sa.Column("rule_code", sa.String(length=48), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("signal", sa.String(length=64), nullable=False),
        sa.Column("event_name", sa.String(length=100), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(length=48), nullable=True),
        sa.Column("auto_incident", sa.Boolean(), nullable=False),
        sa.Column("incident_category", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("escalate_at", UTCDateTime(), nullable=True),
        sa.Column("escalated_at", UTCDateTime(), nullable=True),
        sa.Column("device_code", sa.String(length=32), nullable=True),
        sa.Column("site_code", sa.String(length=32), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_at", UTCDateTime(), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
        sa.Column("first_event_id", sa.Uuid(), nullable=False),
        sa.Column("last_event_id", sa.Uuid(), nullable=False),
        sa.Column("restored_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("acknowledged_by_name", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolved_by_name", sa.String(length=64), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["acknowledged_by"], ["users.id"], ondelete="RESTRICT",
                                name=op.f("fk_alarms_acknowledged_by_users")),
        sa.ForeignKeyConstraint(["resolved_by"], ["users.id"], ondelete="RESTRICT",
                                name=op.f("fk_alarms_resolved_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarms")),
    )
    op.create_index("ix_alarms_queue", "alarms", ["state", "priority", "first_at", "id"])
    op.create_index("ix_alarms_fold", "alarms", ["fold_key", "last_at"])
    op.create_index(op.f("ix_alarms_escalate_at"), "alarms", ["escalate_at"])
    op.create_index(op.f("ix_alarms_device_code"), "alarms", ["device_code"])
    op.create_index(op.f("ix_alarms_site_code"), "alarms", ["site_code"])
    op.create_table(
        "alarm_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alarm_id", sa.Integer(), nullable=False),
        sa.Column("step_key", sa.String(length=48), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("by_user", sa.Integer(), nullable=False),
        sa.Column("by_name", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["alarm_id"], ["alarms.id"], ondelete="CASCADE",
                                name=op.f("fk_alarm_steps_alarm_id_alarms")),
        sa.ForeignKeyConstraint(["by_user"], ["users.id"], ondelete="RESTRICT",
                                name=op.f("fk_alarm_steps_by_user_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_steps")),
        sa.UniqueConstraint("alarm_id", "step_key", name="uq_alarm_steps_alarm_step"),
    )
    _install_defaults(procedures, steps, rules)


def _install_defaults(procedures: sa.Table, steps: sa.Table, rules: sa.Table) -> None:
    """Insert the defaults through this revision's own table definitions, keeping only the columns it has."""
    from qorgau.alarms.seed import rows
    from qorgau.core.time import utcnow

    defaults = rows(utcnow())
    for table, data in ((procedures, defaults.procedures), (steps, defaults.steps), (rules, defaults.rules)):
        names = set(table.columns.keys())
        op.bulk_insert(table, [{k: v for k, v in row.items() if k in names} for row in data])


def downgrade() -> None:
    op.drop_table("alarm_steps")
    op.drop_table("alarms")
    op.drop_table("alarm_rules")
    op.drop_table("alarm_procedure_steps")
    op.drop_table("alarm_procedures")
