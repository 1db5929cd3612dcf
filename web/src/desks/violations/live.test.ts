import { describe, expect, it } from "vitest";
import { mergeQueue, violationEvent, withoutDecided } from "./live";

const v = (id: number) => ({ id });

describe("the review queue and the live feed", () => {
  it("recognises the violations' events only", () => {
    expect(violationEvent({ name: "roads.violation_opened", payload: { violation_id: 4 } }))
      .toEqual({ kind: "opened", id: 4 });
    expect(violationEvent({ name: "roads.violation_decided", payload: { violation_id: 4 } }))
      .toEqual({ kind: "decided", id: 4 });
    expect(violationEvent({ name: "roads.plate_hit", payload: { violation_id: 4 } })).toBeNull();
    expect(violationEvent({ name: "roads.violation_opened", payload: {} })).toBeNull();
  });

  it("appends new violations and drops those no longer pending, keeping the order by id", () => {
    expect(mergeQueue([v(1), v(2), v(3)], [v(1), v(3), v(4), v(5)]).map((x) => x.id)).toEqual([1, 3, 4, 5]);
    expect(mergeQueue([], [v(2), v(1)]).map((x) => x.id)).toEqual([1, 2]);
  });

  it("keeps the officer on the same item when another one is decided elsewhere", () => {
    expect(withoutDecided([v(1), v(2), v(3)], 2, 1)).toEqual({ queue: [v(2), v(3)], index: 1 });
    expect(withoutDecided([v(1), v(2), v(3)], 0, 3)).toEqual({ queue: [v(1), v(2)], index: 0 });
    expect(withoutDecided([v(1), v(2)], 1, 2)).toEqual({ queue: [v(1)], index: 0 });
    expect(withoutDecided([v(1)], 0, 9)).toEqual({ queue: [v(1)], index: 0 });
  });
});
