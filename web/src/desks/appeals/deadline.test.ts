import { describe, expect, it } from "vitest";
import { appealQuery } from "../../api/appeals";
import { deadlineLook } from "./deadline";

describe("deadlineLook", () => {
  it("counts down open appeals and turns orange near the deadline", () => {
    expect(deadlineLook({ state: "registered", working_days_left: 12, overdue: false })).toEqual({ key: "appeals.left.days", days: 12, colour: "green" });
    expect(deadlineLook({ state: "in_progress", working_days_left: 3, overdue: false }).colour).toBe("orange");
    expect(deadlineLook({ state: "extended", working_days_left: 0, overdue: false }).key).toBe("appeals.left.today");
  });

  it("shows overdue in red with the working days past (at least one)", () => {
    expect(deadlineLook({ state: "registered", working_days_left: -4, overdue: true })).toEqual({ key: "appeals.left.overdue", days: 4, colour: "red" });
    // Past the deadline on the same day's evening: the server says overdue, the day count is still 0.
    expect(deadlineLook({ state: "registered", working_days_left: 0, overdue: true }).days).toBe(1);
  });

  it("says how closed appeals ended", () => {
    expect(deadlineLook({ state: "answered", working_days_left: -2, overdue: true }).key).toBe("appeals.left.answeredLate");
    expect(deadlineLook({ state: "answered", working_days_left: 5, overdue: false }).colour).toBe("green");
    expect(deadlineLook({ state: "transferred", working_days_left: 5, overdue: false }).colour).toBe("gray");
  });
});

describe("appealQuery", () => {
  it("leaves out empty filters", () => {
    expect(appealQuery({})).toBe("");
    expect(appealQuery({ mine: true, state: null, overdue: false, district_id: 3, channel: "102" })).toBe("?mine=true&district_id=3&channel=102");
  });
});
