"""Fixtures of the enforcement tests: the district boundary devices need."""

from __future__ import annotations

from tests.devices.conftest import district_boundary  # noqa: F401
