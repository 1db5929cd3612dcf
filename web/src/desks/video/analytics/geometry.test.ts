import { describe, expect, it } from "vitest";
import {
  directionArrow,
  lineProblem,
  moveVertex,
  polygonArea,
  removeVertex,
  reverseLine,
  segmentsIntersect,
  selfIntersects,
  splitEdge,
  svgPoints,
  toFrame,
  zoneProblem,
  type Point,
} from "./geometry";

const square: Point[] = [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5], [0.1, 0.5]];

describe("frame coordinates", () => {
  it("turn pointer pixels into 0..1, clamped and rounded to 0.001", () => {
    expect(toFrame(320, 90, 640, 360)).toEqual([0.5, 0.25]);
    expect(toFrame(-5, 400, 640, 360)).toEqual([0, 1]);
    expect(toFrame(100, 100, 300, 300)).toEqual([0.333, 0.333]);
    expect(toFrame(10, 10, 0, 0)).toEqual([0, 0]);
  });
  it("draw in a 0..100 view box", () => {
    expect(svgPoints([[0.1, 0.2], [0.5, 0.5]])).toBe("10,20 50,50");
  });
});

describe("point editing", () => {
  it("moves one vertex, clamped into the frame, without touching the input", () => {
    const moved = moveVertex(square, 2, [1.4, 0.75]);
    expect(moved[2]).toEqual([1, 0.75]);
    expect(moved[0]).toEqual([0.1, 0.1]);
    expect(square[2]).toEqual([0.5, 0.5]);
  });
  it("removes a vertex but never below the minimum", () => {
    expect(removeVertex(square, 1, 3)).toEqual([[0.1, 0.1], [0.5, 0.5], [0.1, 0.5]]);
    expect(removeVertex(square.slice(0, 3), 0, 3)).toHaveLength(3);
  });
  it("splits an edge at its middle, the closing edge too", () => {
    expect(splitEdge(square, 0)[1]).toEqual([0.3, 0.1]);
    const closed = splitEdge(square, 3);
    expect(closed).toHaveLength(5);
    expect(closed[4]).toEqual([0.1, 0.3]);
  });
});

describe("validity, as the server checks it", () => {
  it("finds crossing and touching segments, not parallel ones", () => {
    expect(segmentsIntersect([0, 0], [1, 1], [0, 1], [1, 0])).toBe(true);
    expect(segmentsIntersect([0, 0], [1, 0], [0.5, 0], [0.5, 1])).toBe(true);
    expect(segmentsIntersect([0, 0], [1, 0], [0, 0.1], [1, 0.1])).toBe(false);
    expect(segmentsIntersect([0, 0], [0.4, 0], [0.5, 0], [1, 0])).toBe(false);
    expect(segmentsIntersect([0, 0], [0.6, 0], [0.5, 0], [1, 0])).toBe(true);
  });
  it("accepts a square and a concave polygon, refuses a bow tie", () => {
    expect(selfIntersects(square)).toBe(false);
    expect(selfIntersects([[0, 0], [1, 0], [1, 1], [0.5, 0.3], [0, 1]])).toBe(false);
    const bowTie: Point[] = [[0.1, 0.1], [0.5, 0.5], [0.5, 0.1], [0.1, 0.5]];
    expect(selfIntersects(bowTie)).toBe(true);
    expect(zoneProblem(bowTie)).toBe("selfIntersecting");
  });
  it("names the first problem of a zone", () => {
    expect(zoneProblem(square)).toBeNull();
    expect(zoneProblem(square.slice(0, 2))).toBe("tooFew");
    expect(zoneProblem([[0, 0], [0.5, 0.5], [1, 1]])).toBe("degenerate");
    expect(zoneProblem([[0, 0], [1.2, 0], [1, 1]])).toBe("outside");
    expect(zoneProblem(Array.from({ length: 65 }, (_, i): Point => [0.5 + 0.4 * Math.cos(i / 10), 0.5 + 0.4 * Math.sin(i / 10)]))).toBe("tooMany");
    expect(polygonArea(square)).toBeCloseTo(0.16);
  });
  it("names the problem of a line", () => {
    expect(lineProblem([[0.1, 0.5], [0.9, 0.5]])).toBeNull();
    expect(lineProblem([[0.1, 0.5]])).toBe("lineTwoPoints");
    expect(lineProblem([[0.5, 0.5], [0.502, 0.5]])).toBe("lineTooShort");
    expect(lineProblem([[0.5, 0.5], [0.505, 0.505]])).toBeNull(); // |dx| + |dy|, as the server measures
    expect(zoneProblem([[0.5, 0.5], [0.505, 0.5], [0.505, 0.505]])).toBe("degenerate"); // under 1e-4 of the frame
  });
});

describe("direction of a line", () => {
  it("points to the right of A → B on a y-down picture", () => {
    const { from, to } = directionArrow([0, 0.5], [1, 0.5]);
    expect(from[0]).toBeCloseTo(0.5);
    expect(to[0]).toBeCloseTo(0.5);
    expect(to[1]).toBeGreaterThan(from[1]); // downwards
  });
  it("turns round when the line is reversed", () => {
    const line: Point[] = [[0.2, 0.2], [0.2, 0.8]];
    const forward = directionArrow(line[0], line[1]);
    const [a, b] = reverseLine(line);
    const backward = directionArrow(a, b);
    expect(forward.to[0]).toBeLessThan(forward.from[0]); // walking down the picture, the right is to the left
    expect(backward.to[0]).toBeGreaterThan(backward.from[0]);
  });
});
