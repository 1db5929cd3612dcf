import { describe, expect, it } from "vitest";
import { dayRanges, districtName, loadColour, loadRatio } from "./figures";

describe("district figures", () => {
  it("measures load per inspector against the norm", () => {
    const one = { user_id: 1, name: "A", username: "a" };
    expect(loadRatio({ residents: 5000, inspectors: [one, { ...one, user_id: 2 }] }, 2500)).toBe(1);
    expect(loadRatio({ residents: 4500, inspectors: [one] }, 2500)).toBeCloseTo(1.8);
    expect(loadRatio({ residents: 10, inspectors: [] }, 2500)).toBe(Infinity);
  });

  it("colours by load, red when unstaffed", () => {
    expect(loadColour(0.5)).toBe("#2f9e44");
    expect(loadColour(1)).toBe("#f2c94c");
    expect(loadColour(1.2)).toBe("#f08c00");
    expect(loadColour(Infinity)).toBe("#e03131");
  });

  it("names a district in the interface language", () => {
    const d = { name_kk: "№1 учаске", name_ru: "Участок №1", name_en: "District 1" };
    expect([districtName(d, "kk"), districtName(d, "ru"), districtName(d, "en")]).toEqual(["№1 учаске", "Участок №1", "District 1"]);
  });

  it("joins consecutive reception days", () => {
    expect(dayRanges([0, 1, 2, 3, 4])).toEqual([[0, 4]]);
    expect(dayRanges([5, 0, 2, 1])).toEqual([[0, 2], [5, 5]]);
  });
});
