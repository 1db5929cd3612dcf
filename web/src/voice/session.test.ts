import { describe, expect, it } from "vitest";
import type { CallRead } from "./api";
import { micStateFromError } from "./phone";
import { IDLE, activeCallId, sending, sessionReducer, type PhoneSession, type SessionAction } from "./session";

const ME = 7;

function call(id: number, patch: Partial<CallRead>): CallRead {
  return {
    id, kind: "sos", state: "answered", device_code: "SOS-1", device_id: 1, site: null, lon: null, lat: null, caller: null, waited_s: 0,
    offered_at: "2026-12-07T10:00:00Z", answered_at: null, ended_at: null, end_reason: null, answered_by: { id: ME, name: "me" },
    transfer_to: null, alarm_id: null, incident_id: null, camera_codes: [], media: null, recording: null, ...patch,
  };
}

function run(...actions: SessionAction[]): PhoneSession {
  return actions.reduce(sessionReducer, IDLE);
}

describe("this tab's phone", () => {
  it("ringing → answering → talking, sending the microphone", () => {
    const answering = run({ type: "answer", callId: 1 });
    expect(answering).toEqual({ status: "answering", callId: 1 });
    expect(activeCallId(answering)).toBe(1);
    expect(sending(answering)).toBe(false);
    const talking = sessionReducer(answering, { type: "answered", callId: 1 });
    expect(talking).toEqual({ status: "talking", callId: 1, held: false, muted: false });
    expect(sending(talking)).toBe(true);
  });

  it("a second answer while one is under way is ignored", () => {
    expect(run({ type: "answer", callId: 1 }, { type: "answer", callId: 2 })).toEqual({ status: "answering", callId: 1 });
  });

  it("someone else answered first: idle, saying who", () => {
    const by = { id: 9, name: "Other Operator" };
    const state = run({ type: "answer", callId: 1 }, { type: "failed", callId: 1, failure: { reason: "taken", by } });
    expect(state).toEqual({ status: "idle", last: { reason: "taken", by }, lastCallId: 1 });
  });

  it("no microphone or permission denied: idle, with the microphone's state", () => {
    const state = run({ type: "answer", callId: 1 }, { type: "failed", callId: 1, failure: { reason: "mic", mic: "denied" } });
    expect(state.status === "idle" && state.last).toEqual({ reason: "mic", mic: "denied" });
    expect(micStateFromError(new DOMException("no", "NotAllowedError"))).toBe("denied");
    expect(micStateFromError(new DOMException("none", "NotFoundError"))).toBe("none");
    expect(micStateFromError(new DOMException("busy", "NotReadableError"))).toBe("busy");
    expect(micStateFromError(new Error("odd"))).toBe("error");
  });

  it("hold and mute stop sending; resume and unmute send again", () => {
    const talking = run({ type: "answer", callId: 1 }, { type: "answered", callId: 1 });
    const held = sessionReducer(talking, { type: "hold", on: true });
    expect(sending(held)).toBe(false);
    const muted = sessionReducer(sessionReducer(held, { type: "hold", on: false }), { type: "mute", on: true });
    expect(muted).toEqual({ status: "talking", callId: 1, held: false, muted: true });
    expect(sending(sessionReducer(muted, { type: "mute", on: false }))).toBe(true);
  });

  it("a transfer keeps me on the line until the target answers, then my side ends", () => {
    const talking = run({ type: "answer", callId: 1 }, { type: "answered", callId: 1 });
    const target = { id: 9, name: "Supervisor" };
    const transferring = sessionReducer(talking, { type: "calls", myId: ME, calls: [call(1, { state: "transferring", transfer_to: target })] });
    expect(transferring).toBe(talking);
    const taken = sessionReducer(transferring, { type: "calls", myId: ME, calls: [call(1, { state: "answered", answered_by: target })] });
    expect(taken).toEqual({ status: "idle", last: null, lastCallId: 1 });
  });

  it("the server putting my call on hold shows it held; the call ending ends my side", () => {
    const talking = run({ type: "answer", callId: 1 }, { type: "answered", callId: 1 });
    const held = sessionReducer(talking, { type: "calls", myId: ME, calls: [call(1, { state: "held" })] });
    expect(held).toEqual({ status: "talking", callId: 1, held: true, muted: false });
    expect(sessionReducer(held, { type: "calls", myId: ME, calls: [] })).toEqual({ status: "idle", last: null, lastCallId: 1 });
  });

  it("a list read before my answer (the call still waiting) does not end my side", () => {
    const talking = run({ type: "answer", callId: 1 }, { type: "answered", callId: 1 });
    const stale = sessionReducer(talking, { type: "calls", myId: ME, calls: [call(1, { state: "ringing", answered_by: null })] });
    expect(stale).toBe(talking);
  });

  it("the server requeuing my call ends my side; another call's ringing does not", () => {
    const talking = run({ type: "answer", callId: 1 }, { type: "answered", callId: 1 });
    expect(sessionReducer(talking, { type: "requeued", callId: 2 })).toBe(talking);
    expect(sessionReducer(talking, { type: "requeued", callId: 1 })).toEqual({ status: "idle", last: null, lastCallId: 1 });
  });

  it("hanging up returns to idle", () => {
    const talking = run({ type: "answer", callId: 3 }, { type: "answered", callId: 3 });
    expect(sessionReducer(talking, { type: "hung_up" })).toEqual({ status: "idle", last: null, lastCallId: 3 });
  });
});
