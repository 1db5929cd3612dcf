"""hot paths (issue 16): indexes and tables of the hot write paths

Reserved in order (a placeholder until its issue's work fills it; empty, it changes nothing).

Revision ID: 0029
Revises: 0028
"""

from __future__ import annotations

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
