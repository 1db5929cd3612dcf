import { describe, expect, it } from "vitest";
import { INITIAL_STATE, assignmentEventOf, concernsMe, unitReducer, type UnitEvent, type UnitState } from "./reducer";
import type { Assignment, AssignmentStage as Stage, MyUnit } from "../api/units";

function assignment(id: number, stage: Stage): Assignment {
  return {
    id,
    unit_code: "PC-01",
    incident_id: 40 + id,
    stage,
    active: ["dispatched", "accepted", "en_route", "on_scene"].includes(stage),
    dispatched_by: "user:1",
    dispatched_at: "2026-05-01T08:00:00Z",
    accepted_at: null,
    declined_at: null,
    decline_reason: null,
    en_route_at: null,
    on_scene_at: null,
    ended_at: null,
    replaced_by: null,
    eta_s: 120,
    route: null,
  };
}

function my(a: Assignment | null): MyUnit {
  return {
    unit: {
      code: "PC-01", kind: "patrol_car", name: "Патруль 1", site_code: null, active: true, simulated: false,
      status: a ? "dispatched" : "available", status_changed_at: "2026-05-01T08:00:00Z", time_in_status_s: 0,
      lon: 53, lat: 51, position_at: null, position_age_s: null, stale: false, members: [5], trackers: [],
      assignment_id: a?.id ?? null, incident_id: a?.incident_id ?? null,
    },
    assignment: a,
    incident: a
      ? {
          id: a.incident_id, number: `2026-0000${a.id}`, category: "theft", priority: 60, state: "dispatched",
          source: "call", alarm_id: null, address: "Aksai", lon: 53.03, lat: 51.17, area: null, description: null,
          simulated: false, received_at: "2026-05-01T07:59:00Z", acknowledged_at: null, dispatched_at: null,
          en_route_at: null, on_scene_at: null, resolved_at: null, closed_at: null,
          state_changed_at: "2026-05-01T08:00:00Z",
        }
      : null,
  };
}

const run = (events: UnitEvent[], from: UnitState = INITIAL_STATE) => events.reduce(unitReducer, from);

describe("unit screen reducer", () => {
  it("loads, and announces an unanswered dispatch exactly once", () => {
    const s = run([{ type: "loaded", data: my(assignment(1, "dispatched")) }]);
    expect(s.phase).toBe("ready");
    expect(s.alert).toEqual({ assignmentId: 1, seq: 1 });
    const again = run([{ type: "loaded", data: my(assignment(1, "dispatched")) }], s);
    expect(again.alert).toEqual({ assignmentId: 1, seq: 1 });
    expect(run([{ type: "loaded", data: my(assignment(1, "accepted")) }]).alert).toBeNull();
  });

  it("announces a live dispatch for my unit before the reload, and ignores other units", () => {
    const idle = run([{ type: "loaded", data: my(null) }]);
    const other = unitReducer(idle, { type: "live_assignment", assignmentId: 2, unitCode: "PC-02", stage: "dispatched" });
    expect(other).toBe(idle);
    const mine = unitReducer(idle, { type: "live_assignment", assignmentId: 2, unitCode: "PC-01", stage: "dispatched" });
    expect(mine.alert).toEqual({ assignmentId: 2, seq: 1 });
    const loaded = unitReducer(mine, { type: "loaded", data: my(assignment(2, "dispatched")) });
    expect(loaded.alert?.seq).toBe(1); // the reload does not beep a second time
    const next = unitReducer(loaded, { type: "live_assignment", assignmentId: 3, unitCode: "PC-01", stage: "dispatched" });
    expect(next.alert).toEqual({ assignmentId: 3, seq: 2 });
  });

  it("applies a live stage change to the shown assignment", () => {
    const s = run([
      { type: "loaded", data: my(assignment(1, "accepted")) },
      { type: "live_assignment", assignmentId: 1, unitCode: "PC-01", stage: "en_route" },
    ]);
    expect(s.data?.assignment?.stage).toBe("en_route");
    expect(s.data?.assignment?.active).toBe(true);
  });

  it("tracks a request in flight and its result", () => {
    const loaded = run([{ type: "loaded", data: my(assignment(1, "dispatched")) }]);
    const busy = unitReducer(loaded, { type: "action_started", action: "accept" });
    expect(busy.busy).toBe("accept");
    const done = unitReducer(busy, { type: "action_done", assignment: { ...assignment(1, "accepted"), accepted_at: "T" } });
    expect(done.busy).toBeNull();
    expect(done.data?.assignment?.stage).toBe("accepted");
    const failed = unitReducer(busy, { type: "action_failed", error: new Error("409") });
    expect(failed.busy).toBeNull();
    expect(failed.actionError).toBeInstanceOf(Error);
    expect(unitReducer(failed, { type: "dismiss_error" }).actionError).toBeNull();
  });

  it("goes idle with a notice when the assignment ends", () => {
    const s = run([
      { type: "loaded", data: my(assignment(1, "on_scene")) },
      { type: "action_started", action: "resolved" },
      { type: "action_done", assignment: assignment(1, "resolved") },
    ]);
    expect(s.data?.assignment).toBeNull();
    expect(s.data?.incident).toBeNull();
    expect(s.closed).toEqual({ number: "2026-00001", stage: "resolved" });
    expect(unitReducer(s, { type: "dismiss_closed" }).closed).toBeNull();
  });

  it("notices when the dispatcher takes the assignment away", () => {
    const s = run([
      { type: "loaded", data: my(assignment(1, "en_route")) },
      { type: "loaded", data: my(null) },
    ]);
    expect(s.closed).toEqual({ number: "2026-00001", stage: "cleared" });
    const reassigned = run([
      { type: "loaded", data: my(assignment(1, "en_route")) },
      { type: "live_assignment", assignmentId: 1, unitCode: "PC-01", stage: "reassigned" },
      { type: "loaded", data: my(null) },
    ]);
    expect(reassigned.closed?.stage).toBe("reassigned");
  });

  it("keeps the last data when a reload fails, and knows a user without a unit", () => {
    const s = run([
      { type: "loaded", data: my(null) },
      { type: "load_failed", error: new Error("offline"), notMember: false },
    ]);
    expect(s.phase).toBe("ready");
    expect(s.data).not.toBeNull();
    expect(run([{ type: "load_failed", error: null, notMember: false }]).phase).toBe("error");
    expect(run([{ type: "load_failed", error: null, notMember: true }]).phase).toBe("not_member");
  });
});

describe("live events", () => {
  it("reads units.assignment_changed", () => {
    expect(assignmentEventOf("units.assignment_changed", { assignment_id: 4, unit_code: "PC-01", stage: "dispatched", incident_id: 9 }))
      .toEqual({ assignmentId: 4, unitCode: "PC-01", stage: "dispatched", incidentId: 9 });
    expect(assignmentEventOf("units.status_changed", { assignment_id: 4 })).toBeNull();
    expect(assignmentEventOf("units.assignment_changed", { unit_code: "PC-01" })).toBeNull();
  });

  it("tell which events concern my unit or my incident", () => {
    const mine = { unitCode: "PC-01", incidentId: 9 };
    expect(concernsMe("units.status_changed", { code: "PC-01" }, "1", mine)).toBe(true);
    expect(concernsMe("units.status_changed", { code: "PC-02" }, "2", mine)).toBe(false);
    expect(concernsMe("units.moved", { code: "PC-01" }, "1", mine)).toBe(false);
    expect(concernsMe("incidents.state_changed", { incident_id: 9 }, "9", mine)).toBe(true);
    expect(concernsMe("incidents.noted", { incident_id: 10 }, "10", mine)).toBe(false);
    expect(concernsMe("incidents.noted", { incident_id: 9 }, "9", { unitCode: "PC-01", incidentId: null })).toBe(false);
    expect(concernsMe("devices.health_changed", {}, null, mine)).toBe(false);
  });
});
