import { describe, expect, it } from "vitest";
import type { ResponseGroup, StageFigures } from "../../api/incidents";
import { busiestFirst, formatShare, periodRange, stagesToShow, verdict } from "./dashboard";

function figures(p50: number | null, p90: number | null, target: number | null, count = 3): StageFigures {
  return { count, p50_s: p50, p90_s: p90, target_s: target, within_target: null };
}

function group(key: string, incidents: number, extra: Partial<ResponseGroup> = {}): ResponseGroup {
  const none = figures(null, null, null, 0);
  return { key, incidents, acknowledged: none, dispatched: none, on_scene: none, closed: none, ...extra };
}

describe("response dashboard", () => {
  it("judges P50/P90 against the target", () => {
    expect(verdict(figures(60, 100, 120))).toBe("ok");
    expect(verdict(figures(60, 200, 120))).toBe("warn");
    expect(verdict(figures(130, 200, 120))).toBe("bad");
    expect(verdict(figures(60, 100, null))).toBe("none");
    expect(verdict(figures(null, null, 120, 0))).toBe("none");
    expect(verdict(undefined)).toBe("none");
  });

  it("falls back to the share within each incident's own target", () => {
    const perArea = (share: number | null) => ({ ...figures(60, 100, null), within_target: share });
    expect(verdict(perArea(1))).toBe("ok");
    expect(verdict(perArea(0.6))).toBe("warn");
    expect(verdict(perArea(0.2))).toBe("bad");
    expect(verdict(perArea(null))).toBe("none");
  });

  it("computes periods ending now; today starts at local midnight", () => {
    const now = new Date("2026-05-01T10:30:00Z"); // 15:30 in Asia/Oral (UTC+5)
    const today = periodRange("today", now, "Asia/Oral");
    expect(today.from.toISOString()).toBe("2026-04-30T19:00:00.000Z");
    expect(today.to.getTime()).toBeGreaterThan(now.getTime());
    expect(periodRange("7d", now, "Asia/Oral").from.toISOString()).toBe("2026-04-24T10:30:00.000Z");
    expect(periodRange("24h", now, "UTC").from.toISOString()).toBe("2026-04-30T10:30:00.000Z");
  });

  it("orders groups by incidents and hides empty ones", () => {
    const ordered = busiestFirst([group("b", 2), group("a", 2), group("c", 5), group("d", 0)]);
    expect(ordered.map((g) => g.key)).toEqual(["c", "a", "b"]);
  });

  it("shows stages that have a target or a measurement", () => {
    const overall = group("all", 3, { dispatched: figures(30, 60, null), on_scene: figures(null, null, 600, 0) });
    expect(stagesToShow(overall, ["acknowledged", "dispatched", "on_scene", "closed"])).toEqual(["dispatched", "on_scene"]);
  });

  it("formats shares", () => {
    expect(formatShare(0.875)).toBe("88 %");
    expect(formatShare(null)).toBe("—");
  });
});
