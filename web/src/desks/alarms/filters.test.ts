import { describe, expect, it } from "vitest";
import type { AlarmItem } from "../../api/alarms";
import { NO_FILTER, filterChoices, filterQueue, formatAge, isFiltered } from "./filters";

function alarm(id: number, priority: number, kind: string, site: string | null, state: "new" | "acknowledged" = "new") {
  return { id, priority, kind, site_code: site, state } as AlarmItem;
}

const QUEUE = [alarm(1, 1, "panic", "OBJ-10"), alarm(2, 3, "fire", "OBJ-10", "acknowledged"), alarm(3, 40, "tamper", "OBJ-02"),
  alarm(4, 12, "sos", null)];

describe("alarm filters", () => {
  it("filter by priority band, kind, site and state, together", () => {
    expect(filterQueue(QUEUE, NO_FILTER).map((a) => a.id)).toEqual([1, 2, 3, 4]);
    expect(filterQueue(QUEUE, { ...NO_FILTER, maxPriority: 5 }).map((a) => a.id)).toEqual([1, 2]);
    expect(filterQueue(QUEUE, { ...NO_FILTER, kind: "tamper" }).map((a) => a.id)).toEqual([3]);
    expect(filterQueue(QUEUE, { ...NO_FILTER, site: "OBJ-10" }).map((a) => a.id)).toEqual([1, 2]);
    expect(filterQueue(QUEUE, { ...NO_FILTER, state: "acknowledged" }).map((a) => a.id)).toEqual([2]);
    expect(filterQueue(QUEUE, { maxPriority: 20, kind: null, site: "OBJ-10", state: "new" }).map((a) => a.id)).toEqual([1]);
    expect(isFiltered(NO_FILTER)).toBe(false);
    expect(isFiltered({ ...NO_FILTER, kind: "sos" })).toBe(true);
  });

  it("offer the kinds and sites in the queue", () => {
    expect(filterChoices(QUEUE)).toEqual({ kinds: ["fire", "panic", "sos", "tamper"], sites: ["OBJ-02", "OBJ-10"] });
  });
});

describe("formatAge", () => {
  const at = "2026-03-01T10:00:00Z";
  const t0 = Date.parse(at);
  it("ticks in seconds, then minutes, hours and days", () => {
    expect(formatAge(at, t0 + 45_000)).toBe("45 s");
    expect(formatAge(at, t0 + 185_000)).toBe("3 min 05 s");
    expect(formatAge(at, t0 + (2 * 3600 + 7 * 60) * 1000)).toBe("2 h 07 min");
    expect(formatAge(at, t0 + (3 * 86400 + 4 * 3600) * 1000)).toBe("3 d 4 h");
    expect(formatAge(at, t0 - 5000)).toBe("0 s");
    expect(formatAge("nonsense", t0)).toBe("—");
  });
});
