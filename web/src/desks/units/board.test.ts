import { describe, expect, it } from "vitest";
import type { UnitItem } from "../../api/units";
import { applyDispatchFlagged, applyStatusChanged, applyUnitMoved, countByStatus, fromBoard, parseDispatchFlagged, timeInStatus } from "./board";
import { formatDuration, secondsSince, splitDistance } from "./duration";
import { unitItem } from "../map/ops";

function unit(code: string, extra: Partial<UnitItem> = {}): UnitItem {
  return {
    code, kind: "patrol_car", name: code, site_code: null, active: true, simulated: false, status: "available",
    status_changed_at: "2026-05-01T08:00:00Z", time_in_status_s: 90, lon: 53, lat: 51, position_at: null,
    position_age_s: 400, stale: true, members: [], trackers: [], assignment_id: null, incident_id: null, ...extra,
  };
}

describe("live unit board", () => {
  const now = 1_000_000;

  it("counts time in status from the board's figure and the local clock", () => {
    const [u] = fromBoard([unit("PC-01")], now);
    expect(timeInStatus(u, now)).toBe(90);
    expect(timeInStatus(u, now + 30_000)).toBe(120);
  });

  it("moves a unit and makes its position fresh", () => {
    const units = fromBoard([unit("PC-01"), unit("PC-02")], now);
    const moved = applyUnitMoved(units, { code: "PC-02", lon: 53.1, lat: 51.2, at: "2026-05-01T08:10:00Z" });
    expect(moved[1]).toMatchObject({ lon: 53.1, lat: 51.2, stale: false, position_age_s: 0, position_at: "2026-05-01T08:10:00Z" });
    expect(moved[0]).toBe(units[0]);
    expect(applyUnitMoved(units, { code: "X-1", lon: 1, lat: 2 })).toBe(units);
    expect(applyUnitMoved(units, { code: "PC-01", lon: "1" })).toBe(units);
  });

  it("changes status and restarts the status clock", () => {
    const units = fromBoard([unit("PC-01")], now);
    const changed = applyStatusChanged(units, { code: "PC-01", previous: "available", current: "dispatched", incident_id: 4 }, now + 5000);
    expect(changed[0]).toMatchObject({ status: "dispatched", incident_id: 4 });
    expect(timeInStatus(changed[0], now + 6000)).toBe(1);
    expect(applyStatusChanged(units, { code: "PC-01", current: "flying" }, now)).toBe(units);
  });

  it("counts units per status", () => {
    const counts = countByStatus([unit("A"), unit("B", { status: "on_scene" }), unit("C")]);
    expect(counts).toMatchObject({ available: 2, on_scene: 1, dispatched: 0, off_duty: 0 });
  });
});

describe("stage formatting", () => {
  it("formats durations as clock notation", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(45.4)).toBe("0:45");
    expect(formatDuration(725)).toBe("12:05");
    expect(formatDuration(3729)).toBe("1:02:09");
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(Number.NaN)).toBe("—");
  });

  it("measures elapsed time and splits distances", () => {
    expect(secondsSince("1970-01-01T00:00:10Z", 20_000)).toBe(10);
    expect(secondsSince(null, 20_000)).toBe(0);
    expect(splitDistance(850.4)).toEqual({ value: "850", unit: "m" });
    expect(splitDistance(2420)).toEqual({ value: "2.4", unit: "km" });
  });
});

describe("stalled dispatches on the unit board", () => {
  it("raises and clears a unit's flag from units.dispatch_flagged, and drops it when the unit is free", () => {
    const units = fromBoard([unit("PC-01", { status: "dispatched", incident_id: 4 }), unit("PC-02")], 0);
    const flagged = applyDispatchFlagged(units, { unit_code: "PC-01", flag: "not_en_route", urgent: true, at: "2026-05-01T08:01:00Z" });
    expect(flagged[0].flag).toBe("not_en_route");
    expect(flagged[0].flagged_at).toBe("2026-05-01T08:01:00Z");
    expect(parseDispatchFlagged({ unit_code: "PC-01", flag: "not_en_route", urgent: true })?.urgent).toBe(true);
    expect(applyDispatchFlagged(flagged, { unit_code: "PC-01", flag: "bogus" })).toBe(flagged);
    expect(applyStatusChanged(flagged, { code: "PC-01", current: "en_route", incident_id: 4 }, 1)[0].flag).toBe("not_en_route");
    expect(applyStatusChanged(flagged, { code: "PC-01", current: "available", incident_id: null }, 1)[0].flag).toBeNull();
    expect(applyDispatchFlagged(flagged, { unit_code: "PC-01", flag: null, urgent: true })[0].flag).toBeNull();
    // On the map's operating picture a stalled unit blinks.
    expect(unitItem(flagged[0])?.blink).toBe(true);
    expect(unitItem(flagged[1])?.blink).toBe(false);
  });
});
