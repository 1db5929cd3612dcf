import type { CountBucket, LineCounts } from "../../../api/analytics";

/** Line counts made drawable (pure): bars per bucket, forward above the axis and backward below it. */

export interface Bar {
  x: number;
  width: number;
  forward: number;
  backward: number;
}

/** Bars in a view box `width` wide, each bucket's two directions scaled to the busiest bucket's larger one. */
export function countBars(buckets: readonly CountBucket[], width: number, half: number): Bar[] {
  const peak = Math.max(1, ...buckets.map((b) => Math.max(b.forward, b.backward)));
  const step = buckets.length > 0 ? width / buckets.length : width;
  return buckets.map((b, i) => ({
    x: i * step,
    width: Math.max(0.5, step * 0.8),
    forward: (b.forward / peak) * half,
    backward: (b.backward / peak) * half,
  }));
}

/** Both directions' totals of all lines together (for the table's last row). */
export function totals(lines: readonly LineCounts[]): { forward: number; backward: number } {
  return lines.reduce((sum, l) => ({ forward: sum.forward + l.forward, backward: sum.backward + l.backward }), { forward: 0, backward: 0 });
}

export const PERIODS_H = [1, 24, 168] as const;
export type PeriodH = (typeof PERIODS_H)[number];

/** The period ending now, as the API's ISO 8601 range. */
export function periodRange(hours: number, nowMs: number): { from: string; to: string } {
  return { from: new Date(nowMs - hours * 3_600_000).toISOString(), to: new Date(nowMs).toISOString() };
}
