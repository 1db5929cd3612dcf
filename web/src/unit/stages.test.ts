import { describe, expect, it } from "vitest";
import { CONFIRM_WINDOW_MS, awaitsAnswer, mergeAssignment, nextProgress, progressButtons, tapButton } from "./stages";
import type { Assignment, AssignmentStage as Stage } from "../api/units";

function assignment(stage: Stage, extra: Partial<Assignment> = {}): Assignment {
  return {
    id: 7,
    unit_code: "PC-01",
    incident_id: 3,
    stage,
    active: !["declined", "resolved", "cleared", "reassigned"].includes(stage),
    dispatched_by: "user:1",
    dispatched_at: "2026-05-01T08:00:00Z",
    accepted_at: null,
    declined_at: null,
    decline_reason: null,
    en_route_at: null,
    on_scene_at: null,
    ended_at: null,
    replaced_by: null,
    eta_s: 240,
    route: { type: "LineString", coordinates: [[53, 51], [53.01, 51.01]] },
    ...extra,
  };
}

const states = (stage: Stage, extra?: Partial<Assignment>) => progressButtons(assignment(stage, extra)).map((b) => b.state);

describe("progress buttons", () => {
  it("are locked until the dispatch is accepted", () => {
    expect(states("dispatched")).toEqual(["locked", "locked", "locked"]);
    expect(awaitsAnswer(assignment("dispatched"))).toBe(true);
    expect(awaitsAnswer(assignment("accepted"))).toBe(false);
    expect(progressButtons(null).map((b) => b.state)).toEqual(["locked", "locked", "locked"]);
  });

  it("walk en route → on scene → resolved, later steps may be skipped to", () => {
    expect(states("accepted")).toEqual(["next", "skip", "skip"]);
    expect(states("en_route", { en_route_at: "2026-05-01T08:02:00Z" })).toEqual(["done", "next", "skip"]);
    expect(states("on_scene")).toEqual(["done", "done", "next"]);
    expect(nextProgress(assignment("accepted"))).toBe("en_route");
    expect(nextProgress(assignment("on_scene"))).toBe("resolved");
  });

  it("carry the time a stage was reached", () => {
    const buttons = progressButtons(assignment("on_scene", { en_route_at: "A", on_scene_at: "B" }));
    expect(buttons.map((b) => b.at)).toEqual(["A", "B", null]);
    const resolved = progressButtons(assignment("resolved", { en_route_at: "A", on_scene_at: "B", ended_at: "C" }));
    expect(resolved.map((b) => [b.state, b.at])).toEqual([["done", "A"], ["done", "B"], ["done", "C"]]);
  });

  it("offer nothing on a closed assignment", () => {
    for (const stage of ["declined", "cleared", "reassigned"] as Stage[]) {
      expect(states(stage)).toEqual(["locked", "locked", "locked"]);
      expect(nextProgress(assignment(stage))).toBeNull();
    }
    expect(states("en_route", { active: false })).toEqual(["done", "locked", "locked"]);
  });
});

describe("tapping a button", () => {
  const [enRoute, , resolved] = progressButtons(assignment("accepted"));

  it("sends en route and on scene at once", () => {
    expect(tapButton(enRoute, null, 1000)).toEqual({ send: "en_route", armed: null });
  });

  it("asks a second tap for resolved within the window", () => {
    const first = tapButton(resolved, null, 1000);
    expect(first.send).toBeNull();
    expect(first.armed).toEqual({ stage: "resolved", until: 1000 + CONFIRM_WINDOW_MS });
    expect(tapButton(resolved, first.armed, 2000)).toEqual({ send: "resolved", armed: null });
    const late = tapButton(resolved, first.armed, 1000 + CONFIRM_WINDOW_MS + 1);
    expect(late.send).toBeNull();
    expect(late.armed?.until).toBe(1001 + 2 * CONFIRM_WINDOW_MS);
  });

  it("does nothing on done or locked buttons", () => {
    const [done] = progressButtons(assignment("en_route"));
    expect(tapButton(done, null, 0)).toEqual({ send: null, armed: null });
    const [locked] = progressButtons(assignment("dispatched"));
    expect(tapButton(locked, null, 0).send).toBeNull();
  });
});

describe("merging the server's answer", () => {
  it("keeps the route when the answer has none and replaces a different assignment", () => {
    const before = assignment("accepted");
    const after = mergeAssignment(before, { ...assignment("en_route", { en_route_at: "X" }), route: null });
    expect(after.stage).toBe("en_route");
    expect(after.en_route_at).toBe("X");
    expect(after.route).toEqual(before.route);
    const other = { ...assignment("dispatched"), id: 8, route: null };
    expect(mergeAssignment(before, other)).toBe(other);
  });
});
