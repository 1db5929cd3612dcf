import { describe, expect, it } from "vitest";
import { barHeights, heatMatrix, changeFrom, changeTone, formatChange, formatCount, formatPercent, formatPoints, formatRate, cellBounds, cellColour, heatColour, pointsChange, ratePer10k, zColour } from "./figures";

describe("offence figures", () => {
  it("measures the change against АППГ", () => {
    expect(changeFrom(110, 100)).toEqual({ absolute: 10, percent: 10 });
    expect(changeFrom(4, 0)).toEqual({ absolute: 4, percent: null });
    expect(changeFrom(null, 3)).toBeNull();
  });

  it("colours fewer offences and more clearance as good", () => {
    expect(changeTone(changeFrom(90, 100), "lower")).toBe("good");
    expect(changeTone(changeFrom(110, 100), "lower")).toBe("bad");
    expect(changeTone(changeFrom(0.64, 0.58), "higher")).toBe("good");
    expect(changeTone(changeFrom(0.5, 0.58), "higher")).toBe("bad");
    expect(changeTone(changeFrom(7, 7), "lower")).toBe("same");
    expect(changeTone(null, "lower")).toBe("none");
  });

  it("prints signed changes in the language's number style", () => {
    expect(formatChange(changeFrom(1234, 1000), "en-GB")).toBe("+234 (+23.4 %)");
    expect(formatChange(changeFrom(97, 100), "ru-RU")).toBe("\u22123 (\u22123,0 %)");
    expect(formatChange(changeFrom(5, 0), "en-GB")).toBe("+5 (—)");
    expect(formatChange(changeFrom(5, 5), "en-GB")).toBe("0 (0.0 %)");
    expect(formatChange(null, "en-GB")).toBe("—");
    expect(formatChange(changeFrom(12.25, 10), "en-GB", 1)).toBe("+2.3 (+22.5 %)");
  });

  it("prints counts, shares, rates and points", () => {
    expect(formatCount(4935, "en-GB")).toBe("4,935");
    expect(formatCount(4935, "ru-RU").replace(/\s/g, " ")).toBe("4 935");
    expect(formatPercent(0.6243, "ru-RU")).toBe("62,4 %");
    expect(formatPercent(null, "ru-RU")).toBe("—");
    expect(ratePer10k(57, 57_000)).toBeCloseTo(10);
    expect(ratePer10k(5, 0)).toBeNull();
    expect(formatRate(ratePer10k(123, 55_210), "en-GB")).toBe("22.3");
    expect(formatPoints(pointsChange(0.62, 0.6), "en-GB", "pp")).toBe("+2.0 pp");
    expect(formatPoints(pointsChange(0.55, 0.6), "ru-RU", "п.п.")).toBe("\u22125,0 п.п.");
  });

  it("colours the heat map and the Gi* z-scores", () => {
    expect(heatColour(0, 10)).toBe("#ffffff");
    expect(heatColour(10, 10)).toBe("rgb(165, 15, 21)");
    expect(heatColour(20, 10)).toBe("rgb(165, 15, 21)");
    expect(zColour(1.2)).toBeNull();
    expect(zColour(3)).toBe("#cb181d");
    expect(zColour(-2)).toBe("#6baed6");
    expect(zColour(Number.NaN)).toBeNull();
  });

  it("lays the weekday × hour cells out, scales bars and places grid cells", () => {
    const whole = heatMatrix([[1, 2], [0, 0, 7]]);
    expect(whole.grid).toHaveLength(7);
    expect(whole.grid[6]).toHaveLength(24);
    expect(whole.grid[1][2]).toBe(7);
    expect(whole.max).toBe(7);
    expect(barHeights([0, 2, 4])).toEqual([0, 0.5, 1]);
    expect(barHeights([0, 0])).toEqual([0, 0]);
    const [[south, west], [north, east]] = cellBounds(51.17, 51.17, 100);
    expect((north - south) * 111_320).toBeCloseTo(100, 6);
    expect((east - west) * 111_320 * Math.cos((51.17 * Math.PI) / 180)).toBeCloseTo(100, 6);
    expect(cellColour({ level: "unsafe", value: 0 })).toBe("#e03131");
    expect(cellColour({ level: "safe", value: 3 })).toBeNull();
    expect(cellColour({ level: null, value: 3 })).toBe("#cb181d");
    expect(cellColour({ level: "unheard_of", value: -3 })).toBe("#2171b5");
  });
});
