"""Events of voice calls: ringing, answered, held, transferred, ended, a media problem; desks update live from them."""

from __future__ import annotations

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type


class CallChanged(EventPayload):
    call_id: int = Field(description="The voice call's id.")
    kind: str = Field(description="sos, line102 or callback.")
    state: str = Field(description="Its state after the change: ringing, queued, answered, held, transferring, "
                                   "ended.")
    device_code: str | None = Field(description="The SOS terminal's code (null for a 102 call).")
    answered_by: int | None = Field(description="The operator (user id) who handles it now.")
    transfer_to: int | None = Field(description="The operator (user id) it is being handed to.")
    alarm_id: int | None = Field(description="The alarm the SOS call raised, once linked.")
    incident_id: int | None = Field(description="The incident linked to the call.")
    end_reason: str | None = Field(description="Why it ended, once ended.")
    escalation_level: int = Field(ge=0, description="0 until it waited past the escalation time, then 1, 2, …")
    simulated: bool = Field(description="Placed by the simulator.")


class CallProblem(EventPayload):
    call_id: int = Field(description="The voice call's id.")
    state: str = Field(description="The call's state.")
    problem: str = Field(description="no_rtp, wrong_port, flood, bad_codec or srtp_auth.")
    count: int = Field(ge=0, description="How many times the voice process counted it on this call so far.")


RINGING = event_type("voice.call_ringing", CallChanged, subject_type="voice_call",
                     description="A call rings on the desks: new, back in the queue after its operator left, or "
                                 "waiting past the escalation time (escalation_level above 0: the supervisor).")
ANSWERED = event_type("voice.call_answered", CallChanged, subject_type="voice_call",
                      description="An operator took the call (or took it back from hold).")
HELD = event_type("voice.call_held", CallChanged, subject_type="voice_call",
                  description="The call was put on hold, by its operator or because the operator's browser left.")
TRANSFERRED = event_type("voice.call_transferred", CallChanged, subject_type="voice_call",
                         description="The call is being handed to another operator, who answers it on their desk.")
ENDED = event_type("voice.call_ended", CallChanged, subject_type="voice_call",
                   description="The call ended (hung up, dropped, refused, failed or unanswered).")
PROBLEM = event_type("voice.call_problem", CallProblem, subject_type="voice_call",
                     description="The voice process found a media problem on the call (no RTP, wrong port, flood, "
                                 "bad codec).")
