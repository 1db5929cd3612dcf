import { describe, expect, it } from "vitest";
import { objectQueryString, type AnalyticsRule } from "../../../api/analytics";
import { crossesMidnight, draftField, draftFromRule, draftProblems, newDraft, ruleBody, serverFieldErrors, withKind } from "./rules";

const yard: AnalyticsRule = {
  id: 7, camera: "CAM-1", name: "School yard", kind: "zone", points: [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9]], classes: ["person"],
  schedule: { days: [0, 1, 2, 3, 4], from: "22:00", to: "06:00" }, min_seconds: null, min_count: null, direction: "both", alert: true, enabled: true,
};

describe("rule drafts", () => {
  it("round-trip a rule into the body the API takes", () => {
    const body = ruleBody(draftFromRule(yard));
    expect(body).toEqual({ name: "School yard", kind: "zone", points: yard.points, classes: ["person"],
      schedule: { days: [0, 1, 2, 3, 4], from: "22:00", to: "06:00" }, min_seconds: null, min_count: null, direction: "both", alert: true,
      enabled: true });
  });
  it("send no schedule when it is off, and only the threshold of the kind", () => {
    const draft = { ...newDraft("loitering"), name: " Bench ", scheduled: false, minCount: 4 };
    const body = ruleBody(draft);
    expect(body.schedule).toBeNull();
    expect(body.name).toBe("Bench");
    expect(body.min_seconds).toBe(60);
    expect(body.min_count).toBeNull();
  });
  it("keep the polygon between polygon kinds, drop it for a line", () => {
    const zone = { ...newDraft("zone"), points: draftFromRule(yard).points };
    expect(withKind(zone, "crowd").points).toHaveLength(3);
    expect(withKind(zone, "crowd").minCount).toBe(10);
    expect(withKind(zone, "line").points).toEqual([]);
    expect(newDraft("stopped_vehicle").classes).toContain("car");
  });
});

describe("checks before saving", () => {
  it("name each field's problem", () => {
    const problems = draftProblems({ ...newDraft("crowd"), minCount: 0, classes: [], scheduled: true, days: [] });
    expect(problems).toEqual({
      name: "analytics.problem.name", points: "analytics.geometry.tooFew", classes: "analytics.problem.classes",
      schedule: "analytics.problem.schedule", minCount: "analytics.problem.count",
    });
    expect(draftProblems(draftFromRule(yard))).toEqual({});
  });
  it("take a night schedule as one span across midnight", () => {
    expect(crossesMidnight("22:00", "06:00")).toBe(true);
    expect(crossesMidnight("08:00", "18:00")).toBe(false);
    expect(draftProblems({ ...draftFromRule(yard), from: "25:00" }).schedule).toBe("analytics.problem.schedule");
  });
});

describe("server field errors", () => {
  it("land beside the field they name", () => {
    expect(draftField("body.points.2.0")).toBe("points");
    expect(draftField("body.schedule.from")).toBe("schedule");
    expect(draftField("body.min_seconds")).toBe("minSeconds");
    expect(draftField("body")).toBe("form");
    expect(serverFieldErrors({ "body.points": "crosses itself", "body.points.1": "outside the frame", "body.classes.0": "unknown class" }))
      .toEqual({ points: "crosses itself; outside the frame", classes: "unknown class" });
    expect(serverFieldErrors({ points: "the polygon's edges cross" }, "Зонаның шеттері қиылысады")).toEqual({ points: "Зонаның шеттері қиылысады" });
  });
});

describe("object search query", () => {
  it("names the camera, range, class, zone and page", () => {
    const query = new URLSearchParams(objectQueryString({ camera: "CAM-1", from: "2026-12-07T14:00:00.000Z", to: "2026-12-07T15:00:00.000Z", label: "person", zone: 3, cursor: "abc" }));
    expect(Object.fromEntries(query)).toEqual({ camera: "CAM-1", from: "2026-12-07T14:00:00.000Z", to: "2026-12-07T15:00:00.000Z", label: "person", zone: "3", cursor: "abc", limit: "48" });
    expect(objectQueryString({ camera: "CAM-1", from: "a", to: "b", label: null, zone: null })).toBe("camera=CAM-1&from=a&to=b&limit=48");
  });
});

describe("crowd duration", () => {
  it("let a crowd last a number of seconds before it alarms, or alarm at once when left empty", () => {
    const crowd = { ...newDraft("crowd"), name: "Square", points: draftFromRule(yard).points };
    expect(crowd.minSeconds).toBeNull();
    expect(ruleBody(crowd).min_seconds).toBeNull();
    expect(ruleBody({ ...crowd, minSeconds: 30 }).min_seconds).toBe(30);
    expect(draftProblems({ ...crowd, minSeconds: 0 }).minSeconds).toBeUndefined();
    expect(draftProblems({ ...crowd, minSeconds: -1 }).minSeconds).toBe("analytics.problem.crowdSeconds");
    expect(draftProblems({ ...crowd, minSeconds: 2.5 }).minSeconds).toBe("analytics.problem.crowdSeconds");
    expect(withKind({ ...crowd, minSeconds: 30 }, "loitering").minSeconds).toBe(60);
    expect(withKind({ ...newDraft("loitering"), minSeconds: 90 }, "crowd").minSeconds).toBeNull();
    expect(withKind({ ...crowd, minSeconds: 30 }, "zone").minSeconds).toBeNull();
  });
});
