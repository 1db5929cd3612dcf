import { describe, expect, it } from "vitest";
import { formatDate, formatInstant, wallClock } from "./time";

describe("server-time formatting", () => {
  const instant = "2025-01-05T21:30:05Z"; // Sunday 21:30 UTC = Monday 02:30 in Oral (UTC+5)

  it("shows wall-clock time in the given zone, not the workstation's", () => {
    expect(formatInstant(instant, { timeZone: "Asia/Oral" })).toBe("02:30:05");
    expect(formatInstant(instant, { timeZone: "Asia/Oral", withDate: true })).toBe("06.01.2025 02:30:05");
    expect(formatInstant(instant, { timeZone: "UTC", withSeconds: false })).toBe("21:30");
    expect(formatDate(new Date(instant), "Asia/Oral")).toBe("06.01.2025");
    expect(wallClock(new Date(instant), "Asia/Oral").weekday).toBe("mon");
  });

  it("uses 00 for midnight and survives bad input", () => {
    expect(formatInstant("2025-01-01T19:00:00Z", { timeZone: "Asia/Oral" })).toBe("00:00:00");
    expect(formatInstant("not a date", { timeZone: "Asia/Oral" })).toBe("not a date");
    expect(formatInstant(instant, { timeZone: "Not/AZone" })).toMatch(/^\d\d:\d\d:\d\d$/);
  });
});
