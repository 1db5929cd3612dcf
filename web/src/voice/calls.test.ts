import { describe, expect, it } from "vitest";
import type { CallRead } from "./api";
import {
  callRole, canAnswer, canRejoin, formatWaited, intakePrefill, mediaProblems, mergeCallEvent, nextToAnswer, parseCallChange, replaceCall, shouldRing,
  sortCalls, waitedSeconds,
} from "./calls";

const ME = 7;
const OTHER = { id: 9, name: "Other Operator" };

function call(id: number, patch: Partial<CallRead> = {}): CallRead {
  return {
    id, kind: "sos", state: "ringing", device_code: `SOS-${id}`, device_id: id, site: { id: 1, name: "School 3" }, lon: 53.0, lat: 51.1,
    caller: null, waited_s: 0, offered_at: `2026-12-07T10:00:0${id}Z`, answered_at: null, ended_at: null, end_reason: null,
    answered_by: null, transfer_to: null, alarm_id: null, incident_id: null, camera_codes: [], media: null, recording: null, ...patch,
  };
}

describe("the queue", () => {
  it("puts waiting calls first, oldest first, and leaves ended ones out", () => {
    const calls = [call(3), call(1, { state: "answered", answered_by: OTHER }), call(2, { state: "queued" }), call(4, { state: "ended" })];
    expect(sortCalls(calls).map((c) => c.id)).toEqual([2, 3, 1]);
  });

  it("answers the oldest waiting call, or one transferred to me", () => {
    expect(nextToAnswer([call(3), call(2)], ME)?.id).toBe(2);
    const transfer = call(1, { state: "transferring", answered_by: OTHER, transfer_to: { id: ME, name: "me" } });
    expect(nextToAnswer([transfer, call(4, { state: "answered", answered_by: OTHER })], ME)?.id).toBe(1);
    expect(nextToAnswer([call(1, { state: "answered", answered_by: OTHER })], ME)).toBeNull();
  });

  it("counts the time waited up until the answer", () => {
    const ringing = call(1, { offered_at: "2026-12-07T10:00:00Z" });
    expect(waitedSeconds(ringing, Date.parse("2026-12-07T10:01:05Z"))).toBe(65);
    const answered = { ...ringing, answered_at: "2026-12-07T10:00:12Z" };
    expect(waitedSeconds(answered, Date.parse("2026-12-07T10:05:00Z"))).toBe(12);
    expect(waitedSeconds(ringing, Date.parse("2026-12-07T09:00:00Z"))).toBe(0);
    expect(formatWaited(65)).toBe("1:05");
    expect(formatWaited(3725)).toBe("1:02:05");
  });
});

describe("what a call is to me", () => {
  it("rings for me until someone answers; then it is mine or taken", () => {
    expect(callRole(call(1), ME)).toBe("offered");
    expect(shouldRing([call(1)], ME)).toBe(true);
    const mine = call(1, { state: "answered", answered_by: { id: ME, name: "me" } });
    expect(callRole(mine, ME)).toBe("mine");
    const taken = call(1, { state: "answered", answered_by: OTHER });
    expect(callRole(taken, ME)).toBe("taken");
    expect(canAnswer(taken, ME)).toBe(false);
    expect(shouldRing([mine, taken], ME)).toBe(false);
  });

  it("a held call with nobody on it (the browser left) may be taken by anyone", () => {
    const left = call(1, { state: "held", answered_by: null });
    expect(callRole(left, ME)).toBe("held_free");
    expect(canAnswer(left, ME)).toBe(true);
    expect(callRole(call(1, { state: "held", answered_by: { id: ME, name: "me" } }), ME)).toBe("mine_held");
    expect(callRole(call(1, { state: "held", answered_by: OTHER }), ME)).toBe("taken");
  });

  it("a transfer is offered to its target only", () => {
    const transfer = call(1, { state: "transferring", answered_by: { id: ME, name: "me" }, transfer_to: OTHER });
    expect(callRole(transfer, ME)).toBe("transfer_away");
    expect(callRole(transfer, OTHER.id)).toBe("transfer_to_me");
    expect(callRole(transfer, 99)).toBe("taken");
    expect(canAnswer(transfer, OTHER.id)).toBe(true);
    expect(canAnswer(transfer, 99)).toBe(false);
  });
});

describe("callbacks and coming back", () => {
  it("a callback ringing out is its operator's, rings for nobody and can be joined", () => {
    const callback = call(1, { kind: "callback", state: "ringing", answered_by: { id: ME, name: "me" } });
    expect(callRole(callback, ME)).toBe("outgoing");
    expect(callRole(callback, OTHER.id)).toBe("taken");
    expect(shouldRing([callback], ME)).toBe(false);
    expect(shouldRing([callback], OTHER.id)).toBe(false);
    expect(canRejoin(callback, ME, null)).toBe(true);
  });

  it("my call with no audio in this tab (a reload) can be joined again; not the one I talk on", () => {
    const mine = call(1, { state: "answered", answered_by: { id: ME, name: "me" } });
    expect(canRejoin(mine, ME, null)).toBe(true);
    expect(canRejoin(mine, ME, 1)).toBe(false);
    expect(canRejoin(mine, OTHER.id, null)).toBe(false);
  });
});

describe("live events", () => {
  it("events name people by user id: the list's name is kept for the same person, else the list is fetched", () => {
    const calls = [call(1, { state: "answered", answered_by: OTHER })];
    const held = mergeCallEvent(calls, { call_id: 1, state: "held", answered_by: OTHER.id });
    expect(held.reload).toBe(false);
    expect(held.calls[0].answered_by).toEqual(OTHER);
    const taken = mergeCallEvent([call(2)], { call_id: 2, state: "answered", answered_by: 12 });
    expect(taken.reload).toBe(true);
    expect(callRole(taken.calls[0], ME)).toBe("taken");
    const left = mergeCallEvent(calls, { call_id: 1, state: "queued", answered_by: null });
    expect(callRole(left.calls[0], ME)).toBe("offered");
  });

  it("reads the call id, state and who from a payload, ignores others", () => {
    expect(parseCallChange({ call_id: 4, state: "answered", answered_by: OTHER })).toEqual({ id: 4, state: "answered", answered_by: OTHER });
    expect(parseCallChange({ call_id: 4, state: "nonsense" })).toEqual({ id: 4 });
    expect(parseCallChange({ alarm_id: 4 })).toBeNull();
  });

  it("someone else's answer shows who took it; an end removes the call", () => {
    const calls = [call(1), call(2)];
    const answered = mergeCallEvent(calls, { call_id: 1, state: "answered", answered_by: OTHER });
    expect(answered.reload).toBe(false);
    expect(callRole(answered.calls.find((c) => c.id === 1)!, ME)).toBe("taken");
    const ended = mergeCallEvent(answered.calls, { call_id: 1, state: "ended", end_reason: "caller_hung_up" });
    expect(ended.calls.map((c) => c.id)).toEqual([2]);
  });

  it("an unknown call asks for a reload; a malformed payload changes nothing", () => {
    const calls = [call(1)];
    expect(mergeCallEvent(calls, { call_id: 5, state: "ringing" })).toEqual({ calls, reload: true });
    expect(mergeCallEvent(calls, { nothing: true }).calls).toBe(calls);
  });

  it("replaces a call with the server's answer, and drops it when ended", () => {
    const calls = [call(1), call(2)];
    expect(replaceCall(calls, call(1, { state: "held" })).find((c) => c.id === 1)?.state).toBe("held");
    expect(replaceCall(calls, call(1, { state: "ended" })).map((c) => c.id)).toEqual([2]);
  });
});

describe("the call's extras", () => {
  it("prefills the 102 intake with the number and the location", () => {
    const line = call(1, { kind: "line102", device_code: null, caller: "+77011234567", lon: 53.01, lat: 51.17 });
    expect(intakePrefill(line)).toEqual({ callerPhone: "+77011234567", lon: 53.01, lat: 51.17 });
    expect(intakePrefill(call(2, { caller: null, lon: null, lat: null }))).toEqual({ callerPhone: "", lon: null, lat: null });
  });

  it("lists the media problems counted", () => {
    const media = { rx_packets: 0, lost: 0, late: 0, jitter_ms: 0, problems: { no_rtp: 1, wrong_port: 0, flood: 3, bad_codec: 0 } };
    expect(mediaProblems(call(1, { media }))).toEqual(["no_rtp", "flood"]);
    expect(mediaProblems(call(1))).toEqual([]);
  });
});
