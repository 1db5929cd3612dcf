import { describe, expect, it } from "vitest";
import { barPercent, formatScore, formatShare, periodDays } from "./period";

describe("service-model periods", () => {
  // 2026-04-30 20:30 UTC is already 1 May in Oral (UTC+5).
  const now = new Date("2026-04-30T20:30:00Z");
  it("counts calendar periods to date in the deployment's zone", () => {
    expect(periodDays("month", now, "Asia/Oral")).toEqual({ start: "2026-05-01", end: "2026-05-01" });
    expect(periodDays("month", now, "UTC")).toEqual({ start: "2026-04-01", end: "2026-04-30" });
    expect(periodDays("quarter", now, "Asia/Oral")).toEqual({ start: "2026-04-01", end: "2026-05-01" });
    expect(periodDays("half", now, "Asia/Oral")).toEqual({ start: "2026-01-01", end: "2026-05-01" });
    expect(periodDays("year", now, "Asia/Oral")).toEqual({ start: "2026-01-01", end: "2026-05-01" });
  });
  it("takes the whole previous month, across a year's end and in February", () => {
    expect(periodDays("last_month", new Date("2026-01-15T12:00:00Z"), "UTC")).toEqual({ start: "2025-12-01", end: "2025-12-31" });
    expect(periodDays("last_month", new Date("2028-03-10T12:00:00Z"), "UTC")).toEqual({ start: "2028-02-01", end: "2028-02-29" });
  });
  it("formats shares, scores and bars", () => {
    expect(formatShare(0.1234)).toBe("12.3 %");
    expect(formatShare(null)).toBe("—");
    expect(formatScore(4.256)).toBe("4.26");
    expect(barPercent(5, 10)).toBe(50);
    expect(barPercent(20, 10)).toBe(100);
    expect(barPercent(null, 10)).toBe(0);
    expect(barPercent(3, 0)).toBe(0);
  });
});
