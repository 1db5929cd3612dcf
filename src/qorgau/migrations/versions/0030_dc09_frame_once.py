"""DC-09 frames recorded once across receivers (issue 18): a claim per frame identity, taken by a trigger on events

A panel event row (`ingest.panel_event`) whose payload has a panel time claims (device, sequence, panel time) in
`dc09_frames`; a row of another insert of the same identity is skipped, so the receiver that took it second
commits nothing new and ACKs a frame that is recorded. The rows of one frame share their `recorded_at`, which is
how the trigger tells the frame's other events from a second copy of it. On PostgreSQL the claim waits for a
concurrent claim of the same identity to commit or roll back, so the second receiver ACKs only a durable frame.

Revision ID: 0030
Revises: 0029
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import qorgau.core.db

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

UTC = qorgau.core.db.UTCDateTime(timezone=True)
PANEL_EVENT = "ingest.panel_event"

PG_FUNCTION = """
CREATE FUNCTION dc09_frame_once() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    at timestamptz := (NEW.payload ->> 'panel_time')::timestamptz;
    code text := NEW.payload ->> 'device_code';
    seq integer := (NEW.payload ->> 'sequence')::integer;
    holder timestamptz;
BEGIN
    IF at IS NULL OR code IS NULL OR seq IS NULL THEN
        RETURN NEW;
    END IF;
    INSERT INTO dc09_frames (device_code, sequence, panel_time, recorded_at)
        VALUES (code, seq, at, NEW.recorded_at) ON CONFLICT DO NOTHING;
    IF FOUND THEN
        RETURN NEW;
    END IF;
    SELECT recorded_at INTO holder FROM dc09_frames
        WHERE device_code = code AND sequence = seq AND panel_time = at;
    IF holder = NEW.recorded_at THEN
        RETURN NEW;  -- another event of the frame that claimed it
    END IF;
    RETURN NULL;  -- recorded already, by this receiver or another
END
$$
"""
PG_TRIGGER = f"""
CREATE TRIGGER dc09_frame_once BEFORE INSERT ON events FOR EACH ROW
    WHEN (NEW.name = '{PANEL_EVENT}') EXECUTE FUNCTION dc09_frame_once()
"""
# SQLite: the same rule; RAISE(IGNORE) skips the row being inserted and the statement goes on with the next.
_SQLITE_AT = "strftime('%Y-%m-%d %H:%M:%S', json_extract(NEW.payload, '$.panel_time')) || '.000000'"
_SQLITE_KEY = (f"device_code = json_extract(NEW.payload, '$.device_code') "
               f"AND sequence = json_extract(NEW.payload, '$.sequence') AND panel_time = {_SQLITE_AT}")
SQLITE_TRIGGER = f"""
CREATE TRIGGER dc09_frame_once BEFORE INSERT ON events
WHEN NEW.name = '{PANEL_EVENT}' AND json_extract(NEW.payload, '$.panel_time') IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO dc09_frames (device_code, sequence, panel_time, recorded_at)
        VALUES (json_extract(NEW.payload, '$.device_code'), json_extract(NEW.payload, '$.sequence'), {_SQLITE_AT},
                NEW.recorded_at);
    SELECT RAISE(IGNORE) WHERE (SELECT recorded_at FROM dc09_frames WHERE {_SQLITE_KEY}) <> NEW.recorded_at;
END
"""  # noqa: S608 - built from constants only


def upgrade() -> None:
    op.create_table(
        "dc09_frames",
        sa.Column("device_code", sa.String(length=32), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("panel_time", UTC, nullable=False),
        sa.Column("recorded_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("device_code", "sequence", "panel_time", name=op.f("pk_dc09_frames")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS dc09_frame_once" + (" ON events" if _pg() else ""))
    if _pg():
        op.execute("DROP FUNCTION IF EXISTS dc09_frame_once()")
    op.drop_table("dc09_frames")


def _pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"
