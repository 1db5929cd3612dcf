"""Tables of this part (filled in by issue 12)."""

from __future__ import annotations
