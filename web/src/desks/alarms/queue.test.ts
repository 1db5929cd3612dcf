import { describe, expect, it } from "vitest";
import type { AlarmItem } from "../../api/alarms";
import { compareAlarms, keepSelection, mergeAlarmEvent, priorityColor, replaceAlarm, shouldSound, sortQueue, stepSelection } from "./queue";

function alarm(id: number, priority: number, first_at: string, extra: Partial<AlarmItem> = {}): AlarmItem {
  return {
    id, priority, first_at, last_at: first_at, state: "new", sounds: priority <= 20, escalation_level: 0, escalated_at: null,
    rule: "school_panic", kind: "panic", signal: "BA", event_name: "ingest.dc09.signal", procedure: null,
    incident_category: null, auto_incident: false, device_code: `PNL-${id}`, site_code: null, lon: 53, lat: 51, details: {},
    count: 1, restored_at: null, acknowledged_at: null, acknowledged_by: null, acknowledged_by_name: null, resolved_at: null,
    resolved_by: null, resolution: null, resolution_note: null, simulated: false, allowed: ["acknowledge"], ...extra,
  };
}

function payload(id: number, state: string, priority: number, extra: Record<string, unknown> = {}) {
  return { alarm_id: id, state, priority, escalation_level: 0, rule: "school_panic", kind: "panic", count: 1,
    first_at: "2026-05-01T08:00:00Z", last_at: "2026-05-01T08:00:00Z", device_code: "PNL-0001", lon: 53.01, lat: 51.17, ...extra };
}

describe("queue ordering", () => {
  it("puts the highest priority first, then the oldest", () => {
    const queue = sortQueue([
      alarm(1, 20, "2026-05-01T08:00:00Z"),
      alarm(2, 1, "2026-05-01T09:00:00Z"),
      alarm(3, 1, "2026-05-01T07:00:00Z"),
      alarm(4, 100, "2026-05-01T06:00:00Z"),
    ]);
    expect(queue.map((a) => a.id)).toEqual([3, 2, 1, 4]);
  });

  it("breaks ties by id and drops resolved alarms", () => {
    const a = alarm(5, 1, "2026-05-01T07:00:00Z");
    const b = alarm(4, 1, "2026-05-01T07:00:00Z");
    expect(compareAlarms(a, b)).toBeGreaterThan(0);
    expect(sortQueue([a, alarm(6, 1, "2026-05-01T07:00:00Z", { state: "resolved" })]).map((x) => x.id)).toEqual([5]);
  });
});

describe("live merge of alarm events", () => {
  it("adds a raised alarm in its place with sound and allowed actions", () => {
    const queue = [alarm(1, 20, "2026-05-01T07:00:00Z"), alarm(2, 50, "2026-05-01T07:00:00Z")];
    const next = mergeAlarmEvent(queue, payload(9, "new", 1), 20);
    expect(next.map((a) => a.id)).toEqual([9, 1, 2]);
    expect(next[0]).toMatchObject({ sounds: true, allowed: ["acknowledge"], device_code: "PNL-0001", lon: 53.01 });
    expect(mergeAlarmEvent([], payload(10, "new", 30), 20)[0].sounds).toBe(false);
  });

  it("updates a repeat's count and an escalation's level in place", () => {
    const queue = [alarm(1, 1, "2026-05-01T08:00:00Z")];
    const repeated = mergeAlarmEvent(queue, payload(1, "new", 1, { count: 3, last_at: "2026-05-01T08:01:00Z" }), 20);
    expect(repeated[0]).toMatchObject({ count: 3, last_at: "2026-05-01T08:01:00Z" });
    const escalated = mergeAlarmEvent(repeated, payload(1, "new", 1, { escalation_level: 2 }), 20);
    expect(escalated[0].escalation_level).toBe(2);
  });

  it("marks an acknowledged alarm and never moves it back to new", () => {
    const queue = [alarm(1, 1, "2026-05-01T08:00:00Z")];
    const acked = mergeAlarmEvent(queue, payload(1, "acknowledged", 1, { acknowledged_by: 7 }), 20);
    expect(acked[0]).toMatchObject({ state: "acknowledged", allowed: ["resolve"], acknowledged_by: 7 });
    expect(mergeAlarmEvent(acked, payload(1, "new", 1, { count: 2 }), 20)[0].state).toBe("acknowledged");
  });

  it("removes a resolved alarm and ignores other payloads", () => {
    const queue = [alarm(1, 1, "2026-05-01T08:00:00Z"), alarm(2, 5, "2026-05-01T08:00:00Z")];
    expect(mergeAlarmEvent(queue, payload(1, "resolved", 1), 20).map((a) => a.id)).toEqual([2]);
    expect(mergeAlarmEvent(queue, { code: "PNL-1" }, 20)).toBe(queue);
    expect(mergeAlarmEvent(queue, payload(77, "resolved", 1), 20)).toBe(queue);
  });

  it("replaces an alarm with the server's answer", () => {
    const queue = [alarm(1, 1, "2026-05-01T08:00:00Z"), alarm(2, 5, "2026-05-01T08:00:00Z")];
    expect(replaceAlarm(queue, { ...queue[0], state: "acknowledged" })[0].state).toBe("acknowledged");
    expect(replaceAlarm(queue, { ...queue[0], state: "resolved" }).map((a) => a.id)).toEqual([2]);
  });
});

describe("sound, colour and selection", () => {
  it("sounds for new alarms within the limit on raise, repeat and escalation only", () => {
    expect(shouldSound("alarms.raised", payload(1, "new", 1), 20)).toBe(true);
    expect(shouldSound("alarms.escalated", payload(1, "new", 20), 20)).toBe(true);
    expect(shouldSound("alarms.raised", payload(1, "new", 21), 20)).toBe(false);
    expect(shouldSound("alarms.acknowledged", payload(1, "acknowledged", 1), 20)).toBe(false);
    expect(shouldSound("alarms.repeated", payload(1, "acknowledged", 1), 20)).toBe(false);
  });

  it("colours priority bands", () => {
    expect([1, 5, 6, 20, 21, 50, 51, 255].map(priorityColor)).toEqual(["red", "red", "orange", "orange", "yellow", "yellow", "blue", "blue"]);
  });

  it("keeps the selection while present, else picks the first new alarm", () => {
    const queue = [alarm(1, 1, "2026-05-01T08:00:00Z", { state: "acknowledged" }), alarm(2, 5, "2026-05-01T08:00:00Z")];
    expect(keepSelection(queue, 1)).toBe(1);
    expect(keepSelection(queue, 99)).toBe(2);
    expect(keepSelection([], 1)).toBeNull();
    expect(stepSelection(queue, 1, 1)).toBe(2);
    expect(stepSelection(queue, 2, 1)).toBe(2);
    expect(stepSelection(queue, 2, -1)).toBe(1);
  });
});
