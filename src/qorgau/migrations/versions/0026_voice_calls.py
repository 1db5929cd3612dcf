"""voice calls (issue 15): SOS and 102 calls, their legs, queue and recordings

Reserved in order (a placeholder until its issue's work fills it; empty, it changes nothing).

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
