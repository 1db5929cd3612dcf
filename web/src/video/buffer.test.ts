import { describe, expect, it } from "vitest";
import { catchUpRate, liveEdgeJump, needsSync, nextRangeStart, rangesOf, trimRange } from "./buffer";

describe("live edge", () => {
  it("stays when within a second of the newest frame", () => {
    expect(liveEdgeJump(rangesOf([[0, 5]]), 4.2)).toBeNull();
  });
  it("jumps close to the end when behind by more than a second", () => {
    expect(liveEdgeJump(rangesOf([[0, 5]]), 3.5)).toBeCloseTo(4.9);
  });
  it("jumps into the stream when the clock is before the first range", () => {
    expect(liveEdgeJump(rangesOf([[10, 10.5]]), 0)).toBe(10.4);
  });
  it("does nothing without media", () => {
    expect(liveEdgeJump(rangesOf([]), 0)).toBeNull();
  });
  it("lands in the last range, never in a hole", () => {
    expect(liveEdgeJump(rangesOf([[0, 2], [8, 8.05]]), 1)).toBe(8);
  });
});

describe("trim", () => {
  it("removes what is older than the kept seconds", () => {
    expect(trimRange(rangesOf([[0, 20]]), 19, 4)).toEqual([0, 15]);
  });
  it("keeps a short buffer as it is", () => {
    expect(trimRange(rangesOf([[0, 4]]), 3.5, 4)).toBeNull();
  });
});

describe("gaps and sync", () => {
  it("finds the next recorded range after a gap", () => {
    const r = rangesOf([[0, 10], [30, 40]]);
    expect(nextRangeStart(r, 12)).toBe(30);
    expect(nextRangeStart(r, 5)).toBeNull();
    expect(nextRangeStart(r, 45)).toBeNull();
  });
  it("corrects a follower drifting more than 0.2 s", () => {
    expect(needsSync(10, 10.15)).toBe(false);
    expect(needsSync(10, 10.25)).toBe(true);
  });
});

describe("catch up", () => {
  it("runs a little fast while behind, back to normal near the edge", () => {
    expect(catchUpRate(0.6, 1)).toBe(1.15);
    expect(catchUpRate(0.3, 1.15)).toBe(1.15);
    expect(catchUpRate(0.3, 1)).toBe(1);
    expect(catchUpRate(0.1, 1.15)).toBe(1);
  });
});
