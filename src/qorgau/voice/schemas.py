"""The voice API's request and answer bodies: a call as the desk reads it, answering, transfers, operators."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from qorgau.core.web import MAX_ROW_ID


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonRef(BaseModel):
    id: int = Field(description="User id.")
    name: str | None = Field(description="The user's display name.")


class SiteRef(BaseModel):
    id: int = Field(description="The registry's site id.")
    code: str = Field(description="The site's code.")
    name: str = Field(description="The site's name in the request's language.")


class MediaProblems(BaseModel):
    no_rtp: int = 0
    wrong_port: int = 0
    flood: int = 0
    bad_codec: int = 0
    srtp_auth: int = 0  # SRTP packets that failed authentication (tampered or forged)


class MediaRead(BaseModel):
    rx_packets: int = Field(default=0, description="RTP packets received from the caller.")
    lost: int = Field(default=0, description="Packets lost.")
    late: int = Field(default=0, description="Packets that came too late to play.")
    jitter_ms: float = Field(default=0.0, description="Interarrival jitter (RFC 3550), milliseconds.")
    problems: MediaProblems = Field(default_factory=MediaProblems, description="Counts of media faults.")


class RecordingRead(BaseModel):
    url: str = Field(description="Where the audio plays from (voice:recordings; every playback audited).")
    duration_s: float | None = Field(description="Length in seconds.")
    media_type: str | None = Field(default=None, description="The file's media type, e.g. audio/ogg.")


class CallRead(BaseModel):
    """A call as the desks show it."""

    id: int
    kind: str = Field(description="sos, line102 or callback.")
    state: str = Field(description="ringing, queued, answered, held, transferring or ended.")
    device_code: str | None = Field(description="The SOS terminal's code.")
    device_id: int | None = Field(description="The terminal's registry id, when registered.")
    site: SiteRef | None = Field(description="The terminal's site.")
    lon: float | None = Field(description="Where the caller is (the terminal, or the trunk's location).")
    lat: float | None = None
    caller: str | None = Field(description="The caller's number (102); masked to its last 4 digits for users "
                                           "without voice:answer. Prefills the 102 intake form.")
    waited_s: float = Field(description="Seconds the caller has waited (until the first answer, or so far).")
    offered_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None = Field(description="caller_hung_up, operator_hung_up, dropped, refused, failed or "
                                               "unanswered.")
    answered_by: PersonRef | None = Field(description="The operator who handles the call now.")
    transfer_to: PersonRef | None = Field(description="The operator it is being handed to.")
    alarm_id: int | None
    incident_id: int | None
    camera_codes: list[str] = Field(description="Cameras of the terminal's site and those seeing it (live view).")
    media: MediaRead | None = Field(description="Media figures from the voice process, when it reported them.")
    recording: RecordingRead | None = Field(description="The call's recording, for users with voice:recordings.")
    held: bool = False
    muted: bool = False
    escalation_level: int = Field(default=0, description="0, or how many times it escalated while waiting.")
    callback_of: int | None = Field(default=None, description="For a callback: the call it returns.")
    kept: bool = Field(default=False, description="The recording is kept past the retention period.")


class AnswerBody(_Body):
    sdp: str = Field(min_length=1, max_length=20_000, description="The browser's WebRTC SDP offer.")
    take_over: bool = Field(default=False, description="A supervisor takes a call another operator has "
                                                       "(alarms:escalations; audited with whom it was taken from).")


class AnswerRead(BaseModel):
    leg_id: str = Field(description="The voice process's id of this browser's leg.")
    sdp: str = Field(description="The voice process's SDP answer.")
    type: str = "answer"
    call: CallRead


class ToggleBody(_Body):
    on: bool


class TransferBody(_Body):
    to_user_id: int = Field(ge=1, le=MAX_ROW_ID, description="The operator on duty (or supervisor) to hand it to.")


class IncidentLinkBody(_Body):
    incident_id: int = Field(ge=1, le=MAX_ROW_ID, description="The incident to link the call to.")


class KeepBody(_Body):
    kept: bool = Field(description="Keep the recording past the retention period (true) or let it expire.")
    reason: str = Field(min_length=3, max_length=300, description="Why (audited).")


class OperatorRead(BaseModel):
    id: int
    name: str
    role: str = Field(description="operator, dispatcher or supervisor.")
    busy: bool = Field(description="Handling a call now.")
