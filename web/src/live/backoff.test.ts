import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF, backoffDelay, baseDelay } from "./backoff";

describe("backoff", () => {
  it("starts at 0.5 s and doubles up to 10 s", () => {
    const delays = Array.from({ length: 8 }, (_, attempt) => baseDelay(attempt));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });

  it("never exceeds the maximum, even for huge attempt numbers", () => {
    expect(baseDelay(10_000)).toBe(DEFAULT_BACKOFF.maxMs);
    expect(backoffDelay(10_000, DEFAULT_BACKOFF, () => 0)).toBe(10_000);
  });

  it("applies jitter within [base × (1 − jitter), base]", () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const base = baseDelay(attempt);
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0)).toBe(base);
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 1)).toBe(Math.round(base * (1 - DEFAULT_BACKOFF.jitter)));
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt);
        expect(d).toBeGreaterThanOrEqual(Math.floor(base * (1 - DEFAULT_BACKOFF.jitter)));
        expect(d).toBeLessThanOrEqual(base);
      }
    }
  });

  it("spreads clients apart", () => {
    const samples = new Set(Array.from({ length: 20 }, () => backoffDelay(4)));
    expect(samples.size).toBeGreaterThan(1);
  });

  it("treats negative or fractional attempts sanely", () => {
    expect(baseDelay(-3)).toBe(500);
    expect(baseDelay(1.7)).toBe(1000);
  });
});
