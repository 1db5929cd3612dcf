"""Vocabulary of residents' appeals."""

from __future__ import annotations

from enum import StrEnum


class AppealChannel(StrEnum):
    """How the appeal reached the police."""

    RECEPTION = "reception"  # in person at the inspector's reception
    PHONE = "phone"
    ONLINE = "online"
    LINE_102 = "102"
    EOTINISH = "eotinish"  # the e-Otinish state portal


class AppealState(StrEnum):
    """Where an appeal stands: open until answered or transferred."""

    REGISTERED = "registered"
    IN_PROGRESS = "in_progress"
    EXTENDED = "extended"  # still open, its deadline moved once
    ANSWERED = "answered"
    TRANSFERRED = "transferred"  # sent to another body; no longer ours to answer


OPEN_STATES = frozenset({AppealState.REGISTERED, AppealState.IN_PROGRESS, AppealState.EXTENDED})


class EntryKind(StrEnum):
    """Kinds of timeline lines."""

    REGISTERED = "registered"
    STATE = "state"
    ANSWERED = "answered"
    EXTENDED = "extended"
    TRANSFERRED = "transferred"
    REASSIGNED = "reassigned"
    ATTACHED = "attached"
    REMINDED = "reminded"
    OVERDUE = "overdue"


class AppealAction(StrEnum):
    """Audit actions of the appeals domain."""

    CREATE = "appeals.create"
    UPDATE = "appeals.update"
    PERSONAL_VIEW = "appeals.personal_view"  # who saw whose name and contact
    ATTACH = "appeals.attach"
    CALENDAR_ADD = "appeals.calendar_add"
    CALENDAR_REMOVE = "appeals.calendar_remove"
