import { describe, expect, it } from "vitest";
import { closePolygon, framePoint, svgPoints } from "./masks";

describe("privacy masks", () => {
  it("turn clicks into frame coordinates, clamped to the frame", () => {
    expect(framePoint(320, 90, 640, 360)).toEqual([0.5, 0.25]);
    expect(framePoint(-5, 400, 640, 360)).toEqual([0, 1]);
  });
  it("close a polygon of three points or more", () => {
    expect(closePolygon([], [[0, 0], [1, 0]])).toBeNull();
    expect(closePolygon([], [[0, 0], [1, 0], [1, 1]])).toEqual([[[0, 0], [1, 0], [1, 1]]]);
  });
  it("draw in a 0..100 view box", () => {
    expect(svgPoints([[0.1, 0.2], [0.5, 0.5]])).toBe("10,20 50,50");
  });
});
