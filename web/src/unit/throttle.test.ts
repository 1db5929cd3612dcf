import { describe, expect, it } from "vitest";
import { positionBody } from "./api";
import { DEFAULT_THROTTLE, distanceM, fixFromPosition, shouldSend } from "./throttle";
import type { Fix } from "./types";

const fix = (lon: number, lat: number, at = 0): Fix => ({ lon, lat, accuracy: 5, at, speed_kmh: null, heading_deg: null });
/** Longitude step of about `m` metres at Aksai's latitude (51.17°). */
const east = (m: number) => m / (111_320 * Math.cos((51.17 * Math.PI) / 180));

describe("distance", () => {
  it("measures metres on the ground", () => {
    expect(distanceM({ lon: 53, lat: 51 }, { lon: 53, lat: 51.001 })).toBeCloseTo(111.2, 0);
    expect(distanceM({ lon: 53, lat: 51.17 }, { lon: 53 + east(50), lat: 51.17 })).toBeCloseTo(50, 0);
  });
});

describe("position throttling (10 s or 50 m)", () => {
  const start = fix(53.03, 51.17);
  const sent = { fix: start, sentAt: 100_000 };

  it("sends the first fix at once", () => {
    expect(shouldSend(null, start, 0)).toBe(true);
  });

  it("holds back fixes that come too soon or barely move", () => {
    expect(shouldSend(sent, fix(53.03 + east(20), 51.17), 100_000 + 5_000)).toBe(false);
    expect(shouldSend(sent, fix(53.03 + east(500), 51.17), 100_000 + 1_000)).toBe(false); // min gap
    expect(shouldSend(sent, fix(53.03 + east(5), 51.17), 100_000 + 30_000)).toBe(false); // GPS jitter
  });

  it("sends after 50 m, or after 10 s of movement", () => {
    expect(shouldSend(sent, fix(53.03 + east(60), 51.17), 100_000 + 2_500)).toBe(true);
    expect(shouldSend(sent, fix(53.03 + east(20), 51.17), 100_000 + 10_000)).toBe(true);
  });

  it("sends a keep-alive when standing still, and never stalls when the clock goes back", () => {
    expect(shouldSend(sent, start, 100_000 + DEFAULT_THROTTLE.keepAliveMs)).toBe(true);
    expect(shouldSend(sent, start, 100_000 + DEFAULT_THROTTLE.keepAliveMs - 1)).toBe(false);
    expect(shouldSend(sent, start, 50_000)).toBe(true);
  });
});

describe("fixes from the browser", () => {
  it("convert speed to km/h and drop a heading while standing", () => {
    const moving = fixFromPosition({ coords: { longitude: 53, latitude: 51, accuracy: 8, speed: 10, heading: 370 }, timestamp: 5 });
    expect(moving).toEqual({ lon: 53, lat: 51, accuracy: 8, at: 5, speed_kmh: 36, heading_deg: 10 });
    const still = fixFromPosition({ coords: { longitude: 53, latitude: 51, speed: 0, heading: Number.NaN }, timestamp: 0 });
    expect(still.heading_deg).toBeNull();
    expect(still.speed_kmh).toBe(0);
    expect(still.accuracy).toBeNull();
    expect(still.at).toBeGreaterThan(0);
  });

  it("become the API's body with rounded values", () => {
    const body = positionBody({ lon: 53.0123456789, lat: 51.17, accuracy: 3, at: Date.UTC(2026, 0, 2), speed_kmh: 12.345, heading_deg: 359.99 });
    expect(body).toEqual({ lon: 53.012346, lat: 51.17, at: "2026-01-02T00:00:00.000Z", speed_kmh: 12.3, heading_deg: 0 });
    expect(positionBody(fix(1, 2, 0))).not.toHaveProperty("speed_kmh");
  });
});
