import { describe, expect, it } from "vitest";
import { nextAfterDecision, reviewKey } from "./keys";

describe("review keys", () => {
  it("maps one key per decision", () => {
    expect(reviewKey("c", false, 6)).toEqual({ kind: "confirm" });
    expect(reviewKey("C", false, 6)).toEqual({ kind: "confirm" });
    expect(reviewKey("r", false, 6)).toEqual({ kind: "startReject" });
    expect(reviewKey("s", false, 6)).toEqual({ kind: "move", step: 1 });
    expect(reviewKey("ArrowUp", false, 6)).toEqual({ kind: "move", step: -1 });
    expect(reviewKey("3", false, 6)).toBeNull();
  });

  it("picks a rejection reason by number only while rejecting", () => {
    expect(reviewKey("3", true, 6)).toEqual({ kind: "reject", reason: 2 });
    expect(reviewKey("7", true, 6)).toBeNull();
    expect(reviewKey("0", true, 6)).toBeNull();
    expect(reviewKey("c", true, 6)).toBeNull();
    expect(reviewKey("Escape", true, 6)).toEqual({ kind: "cancel" });
  });

  it("keeps the selection in the shrunk queue", () => {
    expect(nextAfterDecision(2, 5)).toBe(2);
    expect(nextAfterDecision(4, 4)).toBe(3);
    expect(nextAfterDecision(0, 0)).toBe(0);
  });
});
