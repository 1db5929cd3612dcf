import { apiRequest } from "../api/client";

/**
 * The voice API (`/api/voice`, served by the voice domain). Typed here until the generated schema names it;
 * the shapes follow the voice contract (CallRead, the answer's SDP exchange, operators on duty).
 */

export type CallKind = "sos" | "line102" | "callback";
export type CallState = "ringing" | "queued" | "answered" | "held" | "transferring" | "ended";
export type EndReason = "caller_hung_up" | "operator_hung_up" | "dropped" | "refused" | "failed" | "unanswered";

export interface PersonRef {
  id: number;
  name: string;
}

export interface MediaProblems {
  no_rtp: number;
  wrong_port: number;
  flood: number;
  bad_codec: number;
  srtp_auth?: number;
}

export interface CallMediaRead {
  rx_packets: number;
  lost: number;
  late: number;
  jitter_ms: number;
  problems: Partial<MediaProblems>;
}

export interface CallRead {
  id: number;
  kind: CallKind;
  state: CallState;
  device_code: string | null;
  device_id: number | null;
  site: { id: number; code?: string; name: string } | null;
  lon: number | null;
  lat: number | null;
  /** Masked (last 4 digits) unless the user may answer. */
  caller: string | null;
  waited_s: number | null;
  offered_at: string;
  answered_at: string | null;
  ended_at: string | null;
  end_reason: EndReason | null;
  answered_by: PersonRef | null;
  transfer_to: PersonRef | null;
  alarm_id: number | null;
  incident_id: number | null;
  camera_codes: string[];
  media: CallMediaRead | null;
  recording: { url: string; duration_s: number | null; media_type?: string | null } | null;
  held?: boolean;
  muted?: boolean;
  /** 0, or how many times it escalated while waiting. */
  escalation_level?: number;
  /** For a callback: the call it returns. */
  callback_of?: number | null;
}

export interface AnswerRead {
  leg_id: string;
  sdp: string;
  call: CallRead;
}

export interface OperatorRead {
  id: number;
  name: string;
  role?: string | null;
  busy?: boolean | null;
}

const BASE = "/api/voice";

export function fetchActiveCalls(options: { signal?: AbortSignal } = {}) {
  return apiRequest<CallRead[]>(`${BASE}/calls?active=true`, options);
}

/** The calls linked to an incident, in order. */
export function fetchIncidentCalls(incidentId: number, options: { signal?: AbortSignal } = {}) {
  return apiRequest<CallRead[]>(`${BASE}/calls?active=false&incident_id=${incidentId}`, options);
}

/** 409 `voice.call_taken` with `by` when another operator was first. */
export function answerCall(id: number, sdp: string) {
  return apiRequest<AnswerRead>(`${BASE}/calls/${id}/answer`, { method: "POST", body: { sdp }, timeoutMs: 20_000 });
}

export function holdCall(id: number, on: boolean) {
  return apiRequest<CallRead>(`${BASE}/calls/${id}/hold`, { method: "POST", body: { on } });
}

export function muteCall(id: number, on: boolean) {
  return apiRequest<CallRead>(`${BASE}/calls/${id}/mute`, { method: "POST", body: { on } });
}

export function transferCall(id: number, toUserId: number) {
  return apiRequest<CallRead>(`${BASE}/calls/${id}/transfer`, { method: "POST", body: { to_user_id: toUserId } });
}

export function hangUpCall(id: number) {
  return apiRequest<CallRead>(`${BASE}/calls/${id}/hangup`, { method: "POST" });
}

/** The browser leaves the call: it goes on hold for another operator, never lost. */
export function leaveCall(id: number) {
  return apiRequest<CallRead>(`${BASE}/calls/${id}/leave`, { method: "POST" });
}

export function callBack(id: number) {
  return apiRequest<CallRead>(`${BASE}/calls/${id}/callback`, { method: "POST" });
}

export function linkIncident(id: number, incidentId: number) {
  return apiRequest<CallRead>(`${BASE}/calls/${id}/incident`, { method: "POST", body: { incident_id: incidentId } });
}

export function fetchOperators(options: { signal?: AbortSignal } = {}) {
  return apiRequest<OperatorRead[]>(`${BASE}/operators`, options);
}

export function recordingUrl(id: number): string {
  return `${BASE}/calls/${id}/recording`;
}
