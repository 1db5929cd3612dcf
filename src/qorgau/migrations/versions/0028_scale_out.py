"""scale-out (issue 18): outbox retention marks, leases, node registry

Reserved in order (a placeholder until its issue's work fills it; empty, it changes nothing).

Revision ID: 0028
Revises: 0027
"""

from __future__ import annotations

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
