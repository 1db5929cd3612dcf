"""Vocabularies of the registry of offences (stored as these strings)."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    CRIMINAL = "criminal"
    ADMINISTRATIVE = "administrative"


class OffenceClass(StrEnum):
    CRIME = "crime"
    MISDEMEANOUR = "misdemeanour"  # уголовный проступок
    ADMINISTRATIVE = "administrative"


class Severity(StrEnum):
    """Categories of art. 11 of the Criminal Code, by the maximum sentence."""

    MINOR = "minor"
    MEDIUM = "medium"
    GRAVE = "grave"
    ESPECIALLY_GRAVE = "especially_grave"


class Status(StrEnum):
    INVESTIGATING = "investigating"
    SENT_TO_COURT = "sent_to_court"
    TERMINATED = "terminated"
    INTERRUPTED = "interrupted"


class PlaceType(StrEnum):
    STREET = "street"
    RESIDENCE = "residence"
    SHOP = "shop"
    SCHOOL = "school"
    TRANSPORT = "transport"
    PUBLIC_PLACE = "public_place"
    OTHER = "other"


class RecordSource(StrEnum):
    IMPORT = "import"
    QORGAU = "qorgau"  # a draft made from an incident closed in Qorgau, or a record entered by hand
    GENERATED = "generated"


class OffenceAction(StrEnum):
    """Audit actions."""

    CREATE = "offences.create"
    UPDATE = "offences.update"
    IMPORT = "offences.import"
    RECONCILE = "offences.reconcile"
    GENERATE = "offences.generate"
    ARTICLE_UPDATE = "offences.article_update"
