import { describe, expect, it } from "vitest";
import type { IncidentItem } from "../../api/incidents";
import { distanceM, findDuplicates, isLikelyDuplicate } from "./duplicates";

const T0 = Date.parse("2026-03-01T22:00:00Z");

function incident(id: number, minutes: number, extra: Partial<IncidentItem> = {}): IncidentItem {
  return {
    id, number: `2026-${id}`, category: "assault", state: "new", lon: 53.0115, lat: 51.1739, address: null,
    received_at: new Date(T0 + minutes * 60_000).toISOString(), ...extra,
  } as IncidentItem;
}

describe("duplicate heuristics", () => {
  it("measures metres on the ground", () => {
    expect(distanceM(53.0115, 51.1739, 53.0125, 51.1741)).toBeGreaterThan(60);
    expect(distanceM(53.0115, 51.1739, 53.0125, 51.1741)).toBeLessThan(80);
  });

  it("needs the same category, within 30 minutes, and the same address or 200 m", () => {
    const first = incident(1, 0);
    expect(isLikelyDuplicate(first, incident(2, 10, { lon: 53.0125, lat: 51.1741 }))).toBe(true);
    expect(isLikelyDuplicate(first, incident(3, 10, { category: "theft" }))).toBe(false);
    expect(isLikelyDuplicate(first, incident(4, 31))).toBe(false);
    expect(isLikelyDuplicate(first, incident(5, 5, { lon: 53.04 }))).toBe(false);
    expect(isLikelyDuplicate(first, first)).toBe(false);
    const a = incident(6, 0, { address: "Советская, 12", lon: 53.06, lat: 51.19 });
    expect(isLikelyDuplicate(a, incident(7, 14, { address: "советская 12", lon: null, lat: null }))).toBe(true);
    expect(isLikelyDuplicate(a, incident(8, 14, { address: "Советская 14", lon: null, lat: null }))).toBe(false);
  });

  it("flags the later incidents, pointing to the first one received, and only open ones", () => {
    const items = [incident(3, 12), incident(1, 0), incident(2, 5), incident(4, 3, { state: "closed" }), incident(5, 40)];
    const found = findDuplicates(items);
    expect([...found.entries()].map(([dup, original]) => [dup, original.id])).toEqual([[2, 1], [3, 1]]);
  });
});
