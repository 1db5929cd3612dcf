"""Vocabulary of police districts."""

from __future__ import annotations

from enum import StrEnum


class SetSource(StrEnum):
    """Where a version of the district set came from."""

    SEED = "seed"  # the generated initial set for Aksai
    IMPORT = "import"  # a GeoJSON file or API upload
    PROPOSAL = "proposal"  # an accepted redistricting proposal
    EDIT = "edit"  # polygons edited on the desk's map


class DistrictAction(StrEnum):
    """Audit actions of the districts domain."""

    SET_ACCEPT = "districts.set_accept"


WORKING_DAYS = (0, 1, 2, 3, 4)  # Monday .. Friday: the reception default
