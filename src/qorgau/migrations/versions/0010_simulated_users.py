"""simulated users: the crew accounts the simulator made and may manage

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("simulated", sa.Boolean(), server_default=sa.false(), nullable=False))
    # Crew accounts made by earlier runs: patrol accounts in a simulated unit's crew (a user is in one unit).
    op.execute(sa.text(
        "UPDATE users SET simulated = :yes WHERE role = 'patrol'"
        " AND id IN (SELECT m.user_id FROM unit_members m JOIN units u ON u.id = m.unit_id WHERE u.simulated = :yes)"
    ).bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("simulated")
