import type { Fix } from "./types";

/**
 * When to send the phone's position: not on every GPS callback (phones fire several a second),
 * but often enough for the dispatcher's board.
 *  - the first fix at once;
 *  - after moving `minDistanceM` (50 m), at most once per `minGapMs`;
 *  - every `intervalMs` (10 s) while moving at all (more than `jitterM`, GPS noise);
 *  - every `keepAliveMs` even when standing still, so the position never looks stale on the board.
 */
export interface ThrottleOptions {
  intervalMs: number;
  minDistanceM: number;
  minGapMs: number;
  jitterM: number;
  keepAliveMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  intervalMs: 10_000,
  minDistanceM: 50,
  minGapMs: 2_000,
  jitterM: 10,
  keepAliveMs: 60_000,
};

export interface SentFix {
  fix: Fix;
  /** Epoch ms when it was sent. */
  sentAt: number;
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres between two lon/lat points. */
export function distanceM(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function shouldSend(
  last: SentFix | null,
  fix: Fix,
  now: number,
  options: ThrottleOptions = DEFAULT_THROTTLE,
): boolean {
  if (!last) return true;
  const elapsed = now - last.sentAt;
  if (elapsed < 0) return true; // the clock went back: do not stall
  if (elapsed >= options.keepAliveMs) return true;
  if (elapsed < options.minGapMs) return false;
  const moved = distanceM(last.fix, fix);
  if (moved >= options.minDistanceM) return true;
  return elapsed >= options.intervalMs && moved > options.jitterM;
}

/** Converts a browser GeolocationPosition to a Fix (speed m/s → km/h; heading NaN when standing → null). */
export function fixFromPosition(position: {
  coords: { longitude: number; latitude: number; accuracy?: number | null; speed?: number | null; heading?: number | null };
  timestamp: number;
}): Fix {
  const { coords } = position;
  const finite = (v: number | null | undefined) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const speed = finite(coords.speed);
  const heading = finite(coords.heading);
  return {
    lon: coords.longitude,
    lat: coords.latitude,
    accuracy: finite(coords.accuracy),
    at: Number.isFinite(position.timestamp) && position.timestamp > 0 ? position.timestamp : Date.now(),
    speed_kmh: speed === null ? null : Math.max(0, speed * 3.6),
    heading_deg: heading === null || speed === 0 ? null : ((heading % 360) + 360) % 360,
  };
}
