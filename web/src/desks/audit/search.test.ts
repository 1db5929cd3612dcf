import { describe, expect, it } from "vitest";
import { EMPTY_FORM, dayRange, toSearch } from "./search";

describe("audit search form", () => {
  it("gives yesterday as midnight to midnight in the installation's zone", () => {
    // 01:30 on 7 December in Oral (UTC+5) is still 6 December in UTC.
    const now = new Date("2026-12-06T20:30:00Z");
    expect(dayRange(-1, now, "Asia/Oral")).toEqual({ from: "2026-12-06T00:00", to: "2026-12-07T00:00" });
    expect(dayRange(0, new Date("2026-01-01T10:00:00Z"), "UTC")).toEqual({ from: "2026-01-01T00:00", to: "2026-01-02T00:00" });
    expect(dayRange(-1, new Date("2026-03-01T10:00:00Z"), "UTC").from).toBe("2026-02-28T00:00");
  });

  it("turns local times into instants and leaves empty fields out", () => {
    const search = toSearch({ ...EMPTY_FORM, person: "pat", from: "2026-12-06T00:00", to: "bad" }, "Asia/Oral");
    expect(search).toEqual({ person: "pat", action: "", target_type: "", target: "", from: "2026-12-05T19:00:00.000Z", to: undefined });
  });
});
