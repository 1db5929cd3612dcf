"""camera picture health: reference views (area C): reserved revision, filled in by its area or removed before landing

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
