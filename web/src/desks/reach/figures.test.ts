import { describe, expect, it } from "vitest";
import { drawOrder, formatShare, gain, levelColour, levelKey } from "./figures";

const levels = [
  { mode: "walk" as const, minutes: 5 },
  { mode: "walk" as const, minutes: 10 },
  { mode: "walk" as const, minutes: 15 },
  { mode: "drive" as const, minutes: 7 },
];

describe("coverage figures", () => {
  it("names and colours each level", () => {
    expect(levels.map(levelKey)).toEqual(["walk-5", "walk-10", "walk-15", "drive-7"]);
    expect(levelColour(levels[0], [15, 5, 10])).toBe("#2b8a3e");
    expect(levelColour(levels[2], [5, 10, 15])).toBe("#fab005");
    expect(levelColour(levels[3], [5, 10, 15])).toBe("#1c7ed6");
  });

  it("draws the drive time under the walks and longer walks under shorter ones", () => {
    const shown = new Set(["walk-5", "walk-15", "drive-7"]);
    expect(drawOrder(levels, shown).map(levelKey)).toEqual(["drive-7", "walk-15", "walk-5"]);
  });

  it("formats shares and a placement's gain", () => {
    expect(formatShare(0.54612, "en")).toBe("54.6 %");
    expect(formatShare(0.5, "ru")).toBe("50,0 %");
    const before = { residents: 58290, covered: 21070, share: 0.36147 };
    const after = { residents: 58290, covered: 35299, share: 0.60558 };
    expect(gain({ before, after })).toEqual({ residents: 14229, points: 24.4 });
  });
});
