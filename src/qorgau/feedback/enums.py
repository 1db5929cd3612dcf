"""Vocabulary of residents' feedback."""

from __future__ import annotations

from enum import StrEnum


class SubjectKind(StrEnum):
    """What the resident is asked about."""

    APPEAL = "appeal"  # an answered appeal (обращение)
    INCIDENT = "incident"  # a closed incident


class FeedbackChannel(StrEnum):
    """How the answer came in."""

    LINK = "link"  # the resident followed the one-time link
    OFFICER = "officer"  # an officer entered what the resident said (reception, phone)


class FeedbackAction(StrEnum):
    """Audit actions of the feedback domain."""

    LINK = "feedback.link"  # a one-time link was issued (or re-issued, the old one dead)
    ANSWER = "feedback.answer"  # a resident answered through the link
    ENTER = "feedback.enter"  # an officer entered a resident's answer


SATISFIED_MIN = 4  # scores 4 and 5 count as satisfied (the usual top-two-box share)
SCORE_MIN, SCORE_MAX = 1, 5
COMMENT_MAX = 1000
