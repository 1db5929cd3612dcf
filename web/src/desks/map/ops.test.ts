import { describe, expect, it } from "vitest";
import type { AlarmItem } from "../../api/alarms";
import type { IncidentItem } from "../../api/incidents";
import type { UnitItem } from "../../api/units";
import {
  BAND_COLORS,
  INCIDENT_COLORS,
  UNIT_COLORS,
  newestUnacknowledged,
  opsItems,
  opsLegend,
  opsReloadFor,
  parseOpsKey,
  priorityBand,
  shortNumber,
} from "./ops";

function alarm(id: number, extra: Partial<AlarmItem> = {}): AlarmItem {
  return {
    id, state: "new", priority: 1, sounds: true, escalation_level: 0, escalated_at: null, rule: "school_panic", kind: "panic",
    signal: "panic", event_name: "ingest.panel_event", procedure: null, incident_category: null, auto_incident: false,
    device_code: "PNL-01", site_code: "OBJ-01", lon: 53.01, lat: 51.17, details: {}, count: 1,
    first_at: "2026-12-07T08:00:00Z", last_at: "2026-12-07T08:00:00Z", restored_at: null, acknowledged_at: null,
    acknowledged_by: null, acknowledged_by_name: null, resolved_at: null, resolved_by: null, resolution: null,
    resolution_note: null, simulated: false, allowed: ["acknowledge"], ...extra,
  } as AlarmItem;
}

function incident(id: number, extra: Partial<IncidentItem> = {}): IncidentItem {
  return {
    id, number: `2026-${String(id).padStart(6, "0")}`, category: "fight", priority: 20, state: "new", source: "call_102",
    alarm_id: null, address: "ул. Советская, 12", lon: 53.02, lat: 51.18, area: null, description: null, simulated: false,
    received_at: "2026-12-07T08:00:00Z", ...extra,
  } as IncidentItem;
}

function unit(code: string, extra: Partial<UnitItem> = {}): UnitItem {
  return {
    code, kind: "patrol_car", name: `Patrol ${code}`, site_code: null, active: true, simulated: false, status: "available",
    status_changed_at: "2026-12-07T08:00:00Z", time_in_status_s: 0, lon: 53.03, lat: 51.19, position_at: null,
    position_age_s: null, stale: false, members: [], trackers: [], assignment_id: null, incident_id: null, ...extra,
  } as UnitItem;
}

describe("operating picture: alarms, incidents and units become map items", () => {
  it("colours alarms by priority band and blinks them until acknowledged", () => {
    const items = opsItems({
      alarms: [alarm(1, { priority: 1 }), alarm(2, { priority: 20, state: "acknowledged" }), alarm(3, { priority: 90 })],
      incidents: [],
      units: [],
    });
    expect(items.map((i) => [i.key, i.color, i.blink, i.label])).toEqual([
      ["alarm:1", BAND_COLORS.critical, true, "1"],
      ["alarm:2", BAND_COLORS.high, false, "20"],
      ["alarm:3", BAND_COLORS.normal, true, "90"],
    ]);
    expect([priorityBand(10), priorityBand(11), priorityBand(30), priorityBand(31)]).toEqual(["critical", "high", "high", "normal"]);
  });

  it("draws urgent unacknowledged alarms above acknowledged ones, alarms above incidents above units", () => {
    const [urgent, acknowledged, inc, car] = opsItems({
      alarms: [alarm(1, { priority: 1 }), alarm(2, { priority: 1, state: "acknowledged" })],
      incidents: [incident(4)],
      units: [unit("PC-01")],
    });
    expect(urgent.rank).toBeGreaterThan(acknowledged.rank);
    expect(acknowledged.rank).toBeGreaterThan(inc.rank);
    expect(inc.rank).toBeGreaterThan(car.rank);
  });

  it("leaves out what has no position, resolved alarms, closed incidents and units off duty", () => {
    const items = opsItems({
      alarms: [alarm(1, { lon: null, lat: null }), alarm(2, { state: "resolved" })],
      incidents: [incident(3, { state: "closed" }), incident(4, { lon: null })],
      units: [unit("PC-01", { status: "off_duty" }), unit("PC-02", { active: false }), unit("FP-01", { lon: null, lat: null })],
    });
    expect(items).toEqual([]);
  });

  it("colours incidents by state with a short number, units by status with their call sign", () => {
    const items = opsItems({ alarms: [], incidents: [incident(123, { state: "en_route" })], units: [unit("PC-07", { status: "on_scene" })] });
    expect(items.map((i) => [i.key, i.state, i.color, i.label])).toEqual([
      ["incident:123", "en_route", INCIDENT_COLORS.en_route, "123"],
      ["unit:PC-07", "on_scene", UNIT_COLORS.on_scene, "PC-07"],
    ]);
    expect(shortNumber("2026-000100")).toBe("100");
    expect(shortNumber("2026-000000")).toBe("0");
  });

  it("leaves out a layer that is switched off", () => {
    const sources = { alarms: [alarm(1)], incidents: [incident(2)], units: [unit("PC-01")] };
    expect(opsItems(sources, { alarm: false, unit: false }).map((i) => i.kind)).toEqual(["incident"]);
  });

  it("a moved unit keeps its key and takes its new position", () => {
    const before = opsItems({ alarms: [], incidents: [], units: [unit("PC-01")] })[0];
    const after = opsItems({ alarms: [], incidents: [], units: [unit("PC-01", { lon: 53.05, lat: 51.2 })] })[0];
    expect(after.key).toBe(before.key);
    expect([after.lon, after.lat]).toEqual([53.05, 51.2]);
  });
});

describe("stalled dispatches", () => {
  it("a flagged unit carries its flag and is drawn above the other units", () => {
    const [flagged, plain] = opsItems({
      alarms: [],
      incidents: [],
      units: [unit("PC-01", { status: "dispatched", flag: "not_en_route" }), unit("PC-02")],
    });
    expect(flagged.flag).toBe("not_en_route");
    expect(plain.flag).toBeNull();
    expect(flagged.rank).toBeGreaterThan(plain.rank);
  });
});

describe("legend", () => {
  it("counts alarms per band (with the unacknowledged), incidents per state, active units per status", () => {
    const legend = opsLegend({
      alarms: [alarm(1, { priority: 2 }), alarm(2, { priority: 3, state: "acknowledged" }), alarm(3, { priority: 50 }), alarm(4, { state: "resolved" })],
      incidents: [incident(1), incident(2, { state: "on_scene" }), incident(3, { state: "on_scene" })],
      units: [unit("A"), unit("B", { status: "en_route" }), unit("C", { active: false })],
    });
    expect(legend.alarm).toEqual([
      { band: "critical", color: BAND_COLORS.critical, count: 2, unacknowledged: 1 },
      { band: "high", color: BAND_COLORS.high, count: 0, unacknowledged: 0 },
      { band: "normal", color: BAND_COLORS.normal, count: 1, unacknowledged: 1 },
    ]);
    expect(Object.fromEntries(legend.incident.map((r) => [r.state, r.count]))).toEqual({
      new: 1, dispatched: 0, en_route: 0, on_scene: 2, on_hold: 0, resolved: 0,
    });
    expect(legend.unit.find((r) => r.status === "available")?.count).toBe(1);
    expect(legend.unit.find((r) => r.status === "en_route")?.count).toBe(1);
    expect(legend.unit.reduce((sum, r) => sum + r.count, 0)).toBe(2);
  });
});

describe("live updates and selection", () => {
  it("reloads alarms on alarm events and incidents on incident or assignment events; positions are applied in place", () => {
    expect(opsReloadFor("alarms.raised")).toBe("alarms");
    expect(opsReloadFor("incidents.state_changed")).toBe("incidents");
    expect(opsReloadFor("units.assignment_changed")).toBe("incidents");
    expect(opsReloadFor("units.dispatch_flagged")).toBe("units");
    expect(opsReloadFor("units.moved")).toBeNull();
    expect(opsReloadFor("devices.health_changed")).toBeNull();
  });

  it("parses item keys", () => {
    expect(parseOpsKey("alarm:12")).toEqual({ kind: "alarm", ref: "12" });
    expect(parseOpsKey("unit:PC-01")).toEqual({ kind: "unit", ref: "PC-01" });
    expect(parseOpsKey("device:CAM-1")).toBeNull();
    expect(parseOpsKey("nonsense")).toBeNull();
  });

  it("the wall follows the newest unacknowledged alarm that has a position", () => {
    const alarms = [
      alarm(1, { last_at: "2026-12-07T08:00:00Z" }),
      alarm(2, { last_at: "2026-12-07T08:05:00Z" }),
      alarm(3, { last_at: "2026-12-07T08:09:00Z", state: "acknowledged" }),
      alarm(4, { last_at: "2026-12-07T08:10:00Z", lon: null, lat: null }),
    ];
    expect(newestUnacknowledged(alarms)?.id).toBe(2);
    expect(newestUnacknowledged([])).toBeNull();
  });
});
