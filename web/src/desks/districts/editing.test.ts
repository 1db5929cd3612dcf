import { describe, expect, it } from "vitest";
import type { Polygon } from "geojson";
import { canDelete, deleteVertex, insertVertex, isChanged, midpoint, moveVertex, polygonsOf, type Draft } from "./editing";

/** Two unit squares side by side sharing the edge x = 1: district 1 on the left, district 2 on the right. */
function twoSquares(): Draft {
  const square = (x: number, number: number) => ({
    type: "Feature" as const,
    properties: { number },
    geometry: { type: "Polygon" as const, coordinates: [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]] },
  });
  return { type: "FeatureCollection", features: [square(0, 1), square(1, 2)] };
}

const ring = (draft: Draft, k: number) => (draft.features[k].geometry as Polygon).coordinates[0];

describe("district editing", () => {
  it("moves a shared vertex in both districts, or in one only", () => {
    const draft = twoSquares();
    const moved = moveVertex(draft, 1, { polygon: 0, ring: 0, index: 1 }, [1.2, 0]);
    expect(ring(moved, 0)[1]).toEqual([1.2, 0]);
    expect(ring(moved, 1)[0]).toEqual([1.2, 0]);
    expect(ring(moved, 1)[4]).toEqual([1.2, 0]); // the closing position follows the first
    expect(ring(draft, 0)[1]).toEqual([1, 0]); // the input is untouched
    const alone = moveVertex(draft, 1, { polygon: 0, ring: 0, index: 1 }, [1.2, 0], false);
    expect(ring(alone, 1)[0]).toEqual([1, 0]);
    expect(isChanged(moved, draft)).toBe(true);
    expect(isChanged(structuredClone(draft), draft)).toBe(false);
  });

  it("adds a vertex on an edge, to the neighbour sharing the edge too", () => {
    const draft = twoSquares();
    const at = midpoint([1, 0], [1, 1]);
    const added = insertVertex(draft, 1, { polygon: 0, ring: 0, index: 1 }, [1.3, 0.5]);
    expect(at).toEqual([1, 0.5]);
    expect(ring(added, 0)).toHaveLength(6);
    expect(ring(added, 0)[2]).toEqual([1.3, 0.5]);
    expect(ring(added, 1)).toHaveLength(6);
    expect(ring(added, 1)).toContainEqual([1.3, 0.5]);
    const outer = insertVertex(draft, 1, { polygon: 0, ring: 0, index: 0 }, [0.5, -0.2]);
    expect(ring(outer, 1)).toHaveLength(5); // an edge on the town's edge has no neighbour
  });

  it("deletes a vertex while the ring keeps three corners", () => {
    const draft = insertVertex(twoSquares(), 1, { polygon: 0, ring: 0, index: 1 }, [1.3, 0.5]);
    const removed = deleteVertex(draft, 1, { polygon: 0, ring: 0, index: 2 });
    expect(ring(removed, 0)).toEqual(ring(twoSquares(), 0));
    expect(ring(removed, 1)).toHaveLength(5);
    const first = deleteVertex(twoSquares(), 1, { polygon: 0, ring: 0, index: 0 }, false);
    expect(ring(first, 0)).toEqual([[1, 0], [1, 1], [0, 1], [1, 0]]);
    expect(canDelete(first, 1, { polygon: 0, ring: 0, index: 0 }, false)).toBe(false);
    expect(deleteVertex(first, 1, { polygon: 0, ring: 0, index: 0 }, false)).toBe(first);
  });

  it("reads polygons of both geometry types", () => {
    expect(polygonsOf({ type: "MultiPolygon", coordinates: [[[[0, 0], [1, 0], [0, 1], [0, 0]]]] })).toHaveLength(1);
    expect(polygonsOf(ring(twoSquares(), 0) && twoSquares().features[0].geometry)).toHaveLength(1);
  });
});
