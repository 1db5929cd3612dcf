import { describe, expect, it } from "vitest";
import type { IncidentItem } from "../../api/incidents";
import { BOARD_COLUMNS, NO_BOARD_FILTER, applyIncidentChange, boardOrder, describeActor, filterBoard, groupByState, incidentIdFromPath, parseIncidentChange, upsertIncident } from "./board";
import { buildTimeline } from "./timeline";

function incident(id: number, state: IncidentItem["state"], priority = 50, received_at = "2026-05-01T08:00:00Z"): IncidentItem {
  return {
    id, number: `2026-${String(id).padStart(6, "0")}`, category: "theft", priority, state, source: "call", alarm_id: null,
    address: null, lon: null, lat: null, area: "Аксай", description: null, simulated: false, received_at,
    acknowledged_at: null, dispatched_at: null, en_route_at: null, on_scene_at: null, resolved_at: null, closed_at: null,
    state_changed_at: received_at, allowed: [],
  };
}

describe("incident board", () => {
  it("has the six columns from new to resolved", () => {
    expect(BOARD_COLUMNS).toEqual(["new", "dispatched", "en_route", "on_scene", "on_hold", "resolved"]);
  });

  it("groups by state, most urgent and longest waiting first", () => {
    const groups = groupByState([
      incident(1, "new", 50, "2026-05-01T08:00:00Z"),
      incident(2, "new", 1, "2026-05-01T09:00:00Z"),
      incident(3, "new", 50, "2026-05-01T07:00:00Z"),
      incident(4, "on_scene"),
    ]);
    expect(groups.new.map((i) => i.id)).toEqual([2, 3, 1]);
    expect(groups.on_scene.map((i) => i.id)).toEqual([4]);
    expect(groups.dispatched).toEqual([]);
  });

  it("moves a known incident, removes a closed one and reports an unknown one", () => {
    const items = [incident(1, "new"), incident(2, "resolved")];
    const moved = applyIncidentChange(items, { id: 1, state: "dispatched" }, "2026-05-01T08:05:00Z");
    expect(moved.missing).toBeNull();
    expect(moved.items[0]).toMatchObject({ state: "dispatched", state_changed_at: "2026-05-01T08:05:00Z" });
    expect(applyIncidentChange(items, { id: 2, state: "closed" }).items.map((i) => i.id)).toEqual([1]);
    const unknown = applyIncidentChange(items, { id: 9, state: "new" });
    expect(unknown).toEqual({ items, missing: 9 });
  });

  it("reads incident payloads and ignores notes", () => {
    expect(parseIncidentChange({ incident_id: 3, number: "2026-000003", state: "on_scene", priority: 5, category: "theft", area: null }))
      .toEqual({ id: 3, state: "on_scene", priority: 5, category: "theft", number: "2026-000003", area: null });
    expect(parseIncidentChange({ incident_id: 3, number: "x", note_id: 4 })).toBeNull();
    expect(parseIncidentChange({ incident_id: 3, state: "bogus" })).toBeNull();
  });

  it("upserts an incident read from the API", () => {
    const items = [incident(1, "new")];
    expect(upsertIncident(items, incident(1, "en_route"))[0].state).toBe("en_route");
    expect(upsertIncident(items, incident(1, "closed"))).toEqual([]);
    expect(upsertIncident(items, incident(2, "new")).map((i) => i.id)).toEqual([1, 2]);
  });

  it("reads the incident id from the path and describes actors", () => {
    expect(incidentIdFromPath("/incidents/42")).toBe(42);
    expect(incidentIdFromPath("/incidents/")).toBeNull();
    expect(incidentIdFromPath("/incidents/abc")).toBeNull();
    expect(describeActor("unit:PC-01")).toEqual({ kind: "unit", ref: "PC-01" });
    expect(describeActor("user:5")).toEqual({ kind: "user", ref: "5" });
    expect(describeActor("robot")).toEqual({ kind: "other", ref: "robot" });
  });
});

describe("timeline", () => {
  it("merges transitions, links and notes in time order", () => {
    const entries = buildTimeline({
      transitions: [
        { from_state: null, to_state: "new", at: "2026-05-01T08:00:00Z", actor: "user:1", reason: null },
        { from_state: "new", to_state: "dispatched", at: "2026-05-01T08:02:00Z", actor: "user:1", reason: null },
      ],
      notes: [{ id: 1, at: "2026-05-01T08:01:00Z", author: "user:1", text: "caller calm" }],
      links: [{ kind: "unit", ref: "PC-01", at: "2026-05-01T08:02:00Z", actor: "user:1" }],
    });
    expect(entries.map((e) => e.kind)).toEqual(["transition", "note", "transition", "link"]);
  });
});

describe("board filter", () => {
  const rows = [
    { id: 1, number: "2026-000001", category: "theft", priority: 60, state: "new", address: "Советская 12", area: "Ақсай", description: "велосипед", received_at: "2026-03-01T10:00:00Z" },
    { id: 2, number: "2026-000002", category: "assault", priority: 10, state: "on_scene", address: null, area: null, description: null, received_at: "2026-03-01T10:05:00Z" },
    { id: 3, number: "2026-000003", category: "theft", priority: 60, state: "new", address: "Мира 3", area: null, description: null, received_at: "2026-03-01T09:00:00Z" },
  ] as IncidentItem[];

  it("searches number, address, description and category name, every word", () => {
    expect(filterBoard(rows, { ...NO_BOARD_FILTER, text: "советская" }).map((i) => i.id)).toEqual([1]);
    expect(filterBoard(rows, { ...NO_BOARD_FILTER, text: "000002" }).map((i) => i.id)).toEqual([2]);
    expect(filterBoard(rows, { ...NO_BOARD_FILTER, text: "кража мира" }, { theft: "Кража" }).map((i) => i.id)).toEqual([3]);
    expect(filterBoard(rows, { ...NO_BOARD_FILTER, text: "  " }).map((i) => i.id)).toEqual([1, 2, 3]);
  });

  it("filters by category and priority band", () => {
    expect(filterBoard(rows, { ...NO_BOARD_FILTER, category: "theft" }).map((i) => i.id)).toEqual([1, 3]);
    expect(filterBoard(rows, { ...NO_BOARD_FILTER, maxPriority: 20 }).map((i) => i.id)).toEqual([2]);
  });

  it("orders the cards column by column for j/k", () => {
    expect(boardOrder(rows).map((i) => i.id)).toEqual([3, 1, 2]);
  });
});
