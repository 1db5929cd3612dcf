/** Pure decisions of the MSE players: where the live edge is, what to trim, how far apart synchronised players are. */

/** What `SourceBuffer.buffered` / `HTMLMediaElement.buffered` offer. */
export interface Ranges {
  readonly length: number;
  start(index: number): number;
  end(index: number): number;
}

/** Live view is behind the newest frame by more than this (s): jump to the edge (camera → screen under 1.5 s). */
export const LIVE_MAX_LAG_S = 1.0;
/** Where a jump lands, before the newest frame (s): a little slack so the decoder does not starve at once. */
export const LIVE_EDGE_SLACK_S = 0.1;
/** Live keeps this much already-played media (s); older ranges are removed so the buffer stays short. */
export const LIVE_KEEP_BEHIND_S = 4;
/** Synchronised playback corrects a follower that drifts more than this (s) from the master. */
export const SYNC_TOLERANCE_S = 0.2;

export function bufferedEnd(ranges: Ranges): number | null {
  return ranges.length > 0 ? ranges.end(ranges.length - 1) : null;
}

/** The time to jump to when live playback lags, or null when it is close enough to the newest frame. */
export function liveEdgeJump(ranges: Ranges, currentTime: number, maxLag = LIVE_MAX_LAG_S): number | null {
  const end = bufferedEnd(ranges);
  if (end === null) return null;
  if (end - currentTime <= maxLag) {
    // Before the first range (a fresh stream starting after 0) counts as behind too.
    const start = ranges.start(0);
    return currentTime < start ? Math.max(start, end - LIVE_EDGE_SLACK_S) : null;
  }
  return Math.max(ranges.start(ranges.length - 1), end - LIVE_EDGE_SLACK_S);
}

/** Lag (s) above which live playback runs slightly fast to catch up, and below which it returns to normal speed. */
export const CATCH_UP_ABOVE_S = 0.4;
export const CATCH_UP_UNTIL_S = 0.2;
const CATCH_UP_RATE = 1.15;

/** The playback rate for a live view `lag` seconds behind its newest frame (hysteresis around the current rate). */
export function catchUpRate(lag: number, currentRate: number): number {
  if (lag > CATCH_UP_ABOVE_S) return CATCH_UP_RATE;
  if (lag < CATCH_UP_UNTIL_S) return 1;
  return currentRate;
}

/** The range [start, end) to remove from a buffer so that at most `keep` seconds remain behind `currentTime`. */
export function trimRange(ranges: Ranges, currentTime: number, keep: number): [number, number] | null {
  if (ranges.length === 0) return null;
  const start = ranges.start(0);
  const cut = currentTime - keep;
  return cut - start > 1 ? [start, cut] : null;
}

/** The start of the next buffered range after `time` (playback over a gap between recordings), or null. */
export function nextRangeStart(ranges: Ranges, time: number): number | null {
  for (let i = 0; i < ranges.length; i += 1) {
    if (ranges.start(i) <= time && time < ranges.end(i)) return null;
    if (ranges.start(i) > time) return ranges.start(i);
  }
  return null;
}

/** Whether a follower must be moved to the master's time. */
export function needsSync(master: number, follower: number, tolerance = SYNC_TOLERANCE_S): boolean {
  return Math.abs(master - follower) > tolerance;
}

/** A Ranges over plain pairs (tests, and the time line). */
export function rangesOf(pairs: readonly (readonly [number, number])[]): Ranges {
  return { length: pairs.length, start: (i) => pairs[i][0], end: (i) => pairs[i][1] };
}
