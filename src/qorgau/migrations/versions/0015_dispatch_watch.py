"""dispatch watch: stalled assignments flagged, incidents that know their units (coverage), declines in the timeline

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_COUNTS = ("units_active", "units_en_route", "units_on_scene", "units_stalled")


def upgrade() -> None:
    with op.batch_alter_table("unit_assignments") as batch:
        batch.add_column(sa.Column("flag", sa.String(24), nullable=True))
        batch.add_column(sa.Column("flagged_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("near_scene_since", qorgau.core.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("incidents") as batch:
        for name in _COUNTS:
            batch.add_column(sa.Column(name, sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("uncovered_at", qorgau.core.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("uncovered_reason", sa.String(300), nullable=True))
    with op.batch_alter_table("incident_transitions") as batch:
        batch.add_column(sa.Column("event", sa.String(24), nullable=True))
    # Incidents open now: their units as they stand (the flow keeps this from here on).
    for name, stages in (("units_active", "'dispatched', 'accepted', 'en_route', 'on_scene'"),
                         ("units_en_route", "'en_route', 'on_scene'"), ("units_on_scene", "'on_scene'")):
        op.execute(sa.text(
            f"UPDATE incidents SET {name} = (SELECT count(*) FROM unit_assignments a"  # noqa: S608 (constants only)
            f" WHERE a.incident_id = incidents.id AND a.active = :yes AND a.stage IN ({stages}))"
        ).bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table("incident_transitions") as batch:
        batch.drop_column("event")
    with op.batch_alter_table("incidents") as batch:
        for name in ("uncovered_reason", "uncovered_at", *_COUNTS):
            batch.drop_column(name)
    with op.batch_alter_table("unit_assignments") as batch:
        for name in ("near_scene_since", "flagged_at", "flag"):
            batch.drop_column(name)
