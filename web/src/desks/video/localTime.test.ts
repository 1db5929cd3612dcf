import { describe, expect, it } from "vitest";
import { fromLocalInput, toLocalInput } from "./localTime";

describe("datetime-local values in the desk's zone", () => {
  const instant = Date.parse("2026-12-07T04:50:02Z");
  it("show the zone's wall clock", () => {
    expect(toLocalInput(instant, "Asia/Oral")).toBe("2026-12-07T09:50:02");
    expect(toLocalInput(instant, "UTC")).toBe("2026-12-07T04:50:02");
  });
  it("read back the same instant", () => {
    expect(fromLocalInput("2026-12-07T09:50:02", "Asia/Oral")).toBe(instant);
    expect(fromLocalInput("2026-12-07T09:50", "Asia/Oral")).toBe(instant - 2000);
    expect(fromLocalInput("2026-07-01T12:00:00", "Europe/Berlin")).toBe(Date.parse("2026-07-01T10:00:00Z"));
  });
  it("refuse what is not a value", () => {
    expect(fromLocalInput("", "UTC")).toBeNaN();
    expect(fromLocalInput("yesterday", "UTC")).toBeNaN();
  });
});
