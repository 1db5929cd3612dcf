import { describe, expect, it } from "vitest";
import { customPeriod, trendRange, dayAfter, defaultPeriod, isCalendarDate, periodContaining, shiftPeriod } from "./periods";

describe("offence periods", () => {
  it("finds the month, quarter, half-year and year to date holding a day", () => {
    expect(periodContaining("month", "2026-02-14")).toEqual({ kind: "month", first: "2026-02-01", last: "2026-02-28" });
    expect(periodContaining("month", "2028-02-01").last).toBe("2028-02-29");
    expect(periodContaining("quarter", "2026-11-30")).toEqual({ kind: "quarter", first: "2026-10-01", last: "2026-12-31" });
    expect(periodContaining("half", "2026-06-30")).toEqual({ kind: "half", first: "2026-01-01", last: "2026-06-30" });
    expect(periodContaining("half", "2026-07-01").first).toBe("2026-07-01");
    expect(periodContaining("ytd", "2026-11-07")).toEqual({ kind: "ytd", first: "2026-01-01", last: "2026-11-30" });
  });

  it("steps to the previous and next period over year ends", () => {
    expect(shiftPeriod(periodContaining("month", "2026-01-05"), -1)).toEqual({ kind: "month", first: "2025-12-01", last: "2025-12-31" });
    expect(shiftPeriod(periodContaining("quarter", "2026-11-05"), 1).first).toBe("2027-01-01");
    expect(shiftPeriod(periodContaining("half", "2026-03-05"), -1)).toEqual({ kind: "half", first: "2025-07-01", last: "2025-12-31" });
    expect(shiftPeriod(periodContaining("ytd", "2026-01-05"), -1)).toEqual({ kind: "ytd", first: "2025-01-01", last: "2025-12-31" });
    expect(shiftPeriod(customPeriod("2026-03-10", "2026-03-16"), 1)).toEqual({ kind: "custom", first: "2026-03-17", last: "2026-03-23" });
  });

  it("orders a reversed custom pick and checks calendar days", () => {
    expect(customPeriod("2026-05-01", "2026-04-01")).toEqual({ kind: "custom", first: "2026-04-01", last: "2026-05-01" });
    expect(isCalendarDate("2026-02-29")).toBe(false);
    expect(isCalendarDate("2028-02-29")).toBe(true);
    expect(isCalendarDate("2026-4-1")).toBe(false);
    expect(dayAfter("2026-12-31")).toBe("2027-01-01");
  });

  it("shows at least twelve months of trend", () => {
    expect(trendRange(periodContaining("month", "2026-11-05"))).toEqual({ first: "2025-12-01", last: "2026-11-30" });
    expect(trendRange(customPeriod("2024-03-15", "2026-11-10"))).toEqual({ first: "2024-03-01", last: "2026-11-10" });
  });

  it("opens on the last finished month", () => {
    expect(defaultPeriod("month", "2026-12-07")).toEqual({ kind: "month", first: "2026-11-01", last: "2026-11-30" });
    expect(defaultPeriod("ytd", "2027-01-03")).toEqual({ kind: "ytd", first: "2026-01-01", last: "2026-12-31" });
  });
});
