/**
 * This tab's part in a call, as a reducer: idle, answering (microphone and SDP exchange under way), talking (with
 * hold and mute), or the reason the last answer failed (someone else took the call, the microphone, an error).
 */
import type { CallRead, PersonRef } from "./api";
import { callRole } from "./calls";
import type { MicState } from "./phone";

export type Failure =
  | { reason: "taken"; by: PersonRef | null }
  | { reason: "mic"; mic: MicState }
  | { reason: "error"; message: string };

export type PhoneSession =
  | { status: "idle"; last: Failure | null; lastCallId: number | null }
  | { status: "answering"; callId: number }
  | { status: "talking"; callId: number; held: boolean; muted: boolean };

export type SessionAction =
  | { type: "answer"; callId: number }
  | { type: "answered"; callId: number }
  | { type: "failed"; callId: number; failure: Failure }
  | { type: "hold"; on: boolean }
  | { type: "mute"; on: boolean }
  | { type: "hung_up" }
  /** The server put my call back in the queue (my browser's media was lost): my side ends. */
  | { type: "requeued"; callId: number }
  /** The list changed: a call I talk on that is no longer mine (transferred, taken over, ended) ends here. */
  | { type: "calls"; calls: readonly CallRead[]; myId: number | null };

export const IDLE: PhoneSession = { status: "idle", last: null, lastCallId: null };

export function sessionReducer(state: PhoneSession, action: SessionAction): PhoneSession {
  switch (action.type) {
    case "answer":
      return state.status === "idle" ? { status: "answering", callId: action.callId } : state;
    case "answered":
      return state.status === "answering" && state.callId === action.callId
        ? { status: "talking", callId: action.callId, held: false, muted: false }
        : state;
    case "failed":
      return state.status !== "talking" && (state.status === "idle" || state.callId === action.callId)
        ? { status: "idle", last: action.failure, lastCallId: action.callId }
        : state;
    case "hold":
      return state.status === "talking" ? { ...state, held: action.on } : state;
    case "mute":
      return state.status === "talking" ? { ...state, muted: action.on } : state;
    case "hung_up":
      return state.status === "talking" ? { status: "idle", last: null, lastCallId: state.callId } : state;
    case "requeued":
      return state.status === "talking" && state.callId === action.callId
        ? { status: "idle", last: null, lastCallId: state.callId }
        : state;
    case "calls": {
      if (state.status !== "talking") return state;
      const call = action.calls.find((c) => c.id === state.callId);
      const role = call ? callRole(call, action.myId) : "ended";
      // A list read before my answer still shows it waiting: stale, not the end of my call.
      if (role === "offered") return state;
      if (role === "mine" || role === "mine_held" || role === "transfer_away" || role === "outgoing") {
        const held = role === "mine_held";
        return held === state.held ? state : { ...state, held };
      }
      return { status: "idle", last: null, lastCallId: state.callId };
    }
  }
}

/** Whether this tab should be sending the microphone now. */
export function sending(state: PhoneSession): boolean {
  return state.status === "talking" && !state.held && !state.muted;
}

/** The call this tab has media for (answering or talking), if any. */
export function activeCallId(state: PhoneSession): number | null {
  return state.status === "idle" ? null : state.callId;
}
