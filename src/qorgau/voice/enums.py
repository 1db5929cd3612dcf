"""Vocabulary of voice calls: kinds, states, why a call ended, media problems and audit actions."""

from __future__ import annotations

from enum import StrEnum


class CallKind(StrEnum):
    """Where a call comes from."""

    SOS = "sos"  # an SOS terminal (call point) in the street
    LINE102 = "line102"  # a resident calling 102 through the trunk
    CALLBACK = "callback"  # an operator calling a terminal or a 102 caller back


class CallState(StrEnum):
    """Where a call stands on the desks."""

    RINGING = "ringing"  # offered, nobody has taken it yet
    QUEUED = "queued"  # taken once, then left by its operator (browser gone): waits on hold for anyone
    ANSWERED = "answered"  # an operator talks to the caller
    HELD = "held"  # its operator put it on hold; still theirs
    TRANSFERRING = "transferring"  # handed to another operator, who has not answered yet
    ENDED = "ended"


ACTIVE_STATES = frozenset({CallState.RINGING, CallState.QUEUED, CallState.ANSWERED, CallState.HELD,
                           CallState.TRANSFERRING})
# Calls that nobody talks to: they wait, count towards the queue and escalate.
WAITING_STATES = frozenset({CallState.RINGING, CallState.QUEUED, CallState.TRANSFERRING})


class EndReason(StrEnum):
    """Why a call ended."""

    CALLER_HUNG_UP = "caller_hung_up"
    OPERATOR_HUNG_UP = "operator_hung_up"
    DROPPED = "dropped"  # media or signalling lost
    REFUSED = "refused"  # the voice process refused it (busy, not bridgeable)
    FAILED = "failed"  # an outgoing call that never connected
    UNANSWERED = "unanswered"  # the caller gave up before anyone answered


class MediaProblem(StrEnum):
    """Problems the voice process counts on a call's media."""

    NO_RTP = "no_rtp"
    WRONG_PORT = "wrong_port"
    FLOOD = "flood"
    BAD_CODEC = "bad_codec"
    SRTP_AUTH = "srtp_auth"


class VoiceAction(StrEnum):
    """Audit actions of the voice domain."""

    ANSWER = "voice.answer"
    TAKE_OVER = "voice.take_over"  # a supervisor took a call another operator had
    HOLD = "voice.hold"
    MUTE = "voice.mute"
    TRANSFER = "voice.transfer"
    HANGUP = "voice.hangup"
    LEAVE = "voice.leave"
    CALLBACK = "voice.callback"
    LINK_INCIDENT = "voice.link_incident"
    ESCALATE = "voice.escalate"
    KEEP = "voice.keep"
    RECORDING_PLAY = "voice.recording_play"
    RECORDING_DELETE = "voice.recording_delete"
