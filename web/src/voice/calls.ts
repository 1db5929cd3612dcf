/**
 * The calls as the desk keeps them: active calls from `GET /api/voice/calls?active=true`, patched by the live
 * `voice.*` events, ordered for the queue (waiting calls first, oldest first), and what each means to this operator.
 */
import type { CallRead, CallState, PersonRef } from "./api";

export const VOICE_EVENT_PREFIX = "voice.";

/** Events after which a call asks for attention (the ring starts or goes on). */
export const RING_EVENTS: ReadonlySet<string> = new Set(["voice.call_ringing", "voice.call_transferred"]);

const STATES: readonly CallState[] = ["ringing", "queued", "answered", "held", "transferring", "ended"];
const WAITING: ReadonlySet<CallState> = new Set(["ringing", "queued"]);

function time(value: string | null | undefined): number {
  const at = value ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? Number.POSITIVE_INFINITY : at;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A person as events carry it (a user id) or as the list does ({id, name}); the name may come later. */
function person(value: unknown): PersonRef | null {
  if (typeof value === "number") return { id: value, name: "" };
  if (typeof value !== "object" || value === null) return null;
  const { id, name } = value as { id?: unknown; name?: unknown };
  return typeof id === "number" ? { id, name: typeof name === "string" ? name : "" } : null;
}

export function isWaiting(call: Pick<CallRead, "state">): boolean {
  return WAITING.has(call.state);
}

/** Waiting calls first (oldest first: the queue's order), then the calls in progress (oldest first); no ended ones. */
export function sortCalls(calls: readonly CallRead[]): CallRead[] {
  return calls
    .filter((c) => c.state !== "ended")
    .sort((a, b) => Number(isWaiting(b)) - Number(isWaiting(a)) || time(a.offered_at) - time(b.offered_at) || a.id - b.id);
}

/** The call the answer key takes: the oldest one waiting, or one being transferred to this operator. */
export function nextToAnswer(calls: readonly CallRead[], myId: number | null): CallRead | null {
  const offered = sortCalls(calls).filter((c) => isWaiting(c) || (c.state === "transferring" && c.transfer_to?.id === myId));
  return offered[0] ?? null;
}

/** Seconds waited: from the offer to the answer (or to `now` while still waiting), never negative. */
export function waitedSeconds(call: Pick<CallRead, "offered_at" | "answered_at" | "ended_at">, now: number): number {
  const start = time(call.offered_at);
  if (!Number.isFinite(start)) return 0;
  const end = call.answered_at ? time(call.answered_at) : call.ended_at ? time(call.ended_at) : now;
  return Math.max(0, Math.floor(((Number.isFinite(end) ? end : now) - start) / 1000));
}

/** "m:ss" (or "h:mm:ss") for a waiting time. */
export function formatWaited(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** What a call is to this operator: it rings for me, I have it, someone else has it, it is offered to me, ... */
export type CallRole =
  | "offered" | "outgoing" | "mine" | "mine_held" | "taken" | "held_free" | "transfer_to_me" | "transfer_away" | "ended";

export function callRole(call: CallRead, myId: number | null): CallRole {
  const mine = myId !== null && call.answered_by?.id === myId;
  switch (call.state) {
    case "ringing":
    case "queued":
      // A waiting call nobody holds rings for all; one held already is a callback ringing out (its operator's).
      return call.answered_by === null ? "offered" : mine ? "outgoing" : "taken";
    case "answered":
      return mine ? "mine" : "taken";
    case "held":
      return mine ? "mine_held" : call.answered_by ? "taken" : "held_free";
    case "transferring":
      return call.transfer_to?.id === myId ? "transfer_to_me" : mine ? "transfer_away" : "taken";
    default:
      return "ended";
  }
}

/** Whether this operator may press "answer" on the call now (it rings for them). */
export function canAnswer(call: CallRead, myId: number | null): boolean {
  const role = callRole(call, myId);
  return role === "offered" || role === "held_free" || role === "transfer_to_me";
}

/** Whether the call is this operator's though this tab has no audio for it (a callback ringing out, a reload). */
export function canRejoin(call: CallRead, myId: number | null, talkingHere: number | null): boolean {
  const role = callRole(call, myId);
  return call.id !== talkingHere && (role === "outgoing" || role === "mine" || role === "mine_held");
}

/** Whether the desk should ring: a call waits for someone and nobody here is talking on it. */
export function shouldRing(calls: readonly CallRead[], myId: number | null): boolean {
  return calls.some((c) => canAnswer(c, myId));
}

export type CallChange = Partial<CallRead> & { id: number };

/** The fields of a `voice.*` payload (the call id and state at least); null when it is not one. */
export function parseCallChange(payload: Record<string, unknown>): CallChange | null {
  const id = num(payload.call_id) ?? num(payload.id);
  if (id === null) return null;
  const change: CallChange = { id };
  if (STATES.includes(payload.state as CallState)) change.state = payload.state as CallState;
  for (const key of ["answered_by", "transfer_to"] as const) {
    if (key in payload) change[key] = person(payload[key]);
  }
  for (const key of ["answered_at", "ended_at", "end_reason"] as const) {
    if (typeof payload[key] === "string") (change as Record<string, unknown>)[key] = payload[key];
  }
  const incident = num(payload.incident_id);
  if (incident !== null) change.incident_id = incident;
  return change;
}

/**
 * Applies one live call event: an ended call leaves the list, a known one is updated; an unknown one is not
 * invented from a partial payload (`reload` says the list must be fetched again). Same array when nothing changed.
 */
export function mergeCallEvent(calls: readonly CallRead[], payload: Record<string, unknown>): { calls: CallRead[]; reload: boolean } {
  const change = parseCallChange(payload);
  if (!change) return { calls: calls as CallRead[], reload: false };
  const index = calls.findIndex((c) => c.id === change.id);
  if (change.state === "ended") {
    return { calls: index < 0 ? (calls as CallRead[]) : calls.filter((c) => c.id !== change.id), reload: false };
  }
  if (index < 0) return { calls: calls as CallRead[], reload: true };
  const before = calls[index];
  // An event names people by id only: keep the name the list had for the same person, else fetch the names.
  let reload = false;
  for (const key of ["answered_by", "transfer_to"] as const) {
    const who = change[key];
    if (who && !who.name) {
      if (before[key]?.id === who.id) change[key] = before[key];
      else reload = true;
    }
  }
  const next = [...calls];
  next[index] = { ...before, ...change };
  return { calls: next, reload };
}

/** Puts a call as the server returned it in the list (or takes it out when it ended). */
export function replaceCall(calls: readonly CallRead[], call: CallRead): CallRead[] {
  const rest = calls.filter((c) => c.id !== call.id);
  return call.state === "ended" ? rest : [...rest, call];
}

/** The 102 intake's prefill from a call: the caller's number and the location the trunk carried. */
export function intakePrefill(call: CallRead): { callerPhone: string; lon: number | null; lat: number | null } {
  return { callerPhone: call.caller ?? "", lon: call.lon, lat: call.lat };
}

/** Problems the media reported (no RTP, wrong port, flood, bad codec), the counted ones only. */
export function mediaProblems(call: Pick<CallRead, "media">): string[] {
  const problems = call.media?.problems ?? {};
  return Object.entries(problems).filter(([, count]) => typeof count === "number" && count > 0).map(([name]) => name);
}
