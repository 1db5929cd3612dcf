import { describe, expect, it } from "vitest";
import { afterGap, commonRecorded, fractionOf, frameDuration, instantAt, spanAt, spansAround, toSpans } from "./segments";

const origin = Date.parse("2026-12-07T10:00:00Z");
const spans = toSpans(
  [
    { id: 2, start_at: "2026-12-07T10:00:10Z", end_at: "2026-12-07T10:00:20Z", frames: 250 },
    { id: 1, start_at: "2026-12-07T10:00:00Z", end_at: "2026-12-07T10:00:10Z", frames: 100 },
    { id: 3, start_at: "2026-12-07T10:01:00Z", end_at: "2026-12-07T10:01:10Z" },
  ],
  origin,
);

describe("segments", () => {
  it("are seconds from the origin, in time order", () => {
    expect(spans.map((s) => [s.id, s.start, s.end])).toEqual([[1, 0, 10], [2, 10, 20], [3, 60, 70]]);
  });
  it("around a time: the current one and those within the look-ahead", () => {
    expect(spansAround(spans, 12, 30).map((s) => s.id)).toEqual([2]);
    expect(spansAround(spans, 9.8, 60).map((s) => s.id)).toEqual([1, 2, 3]);
  });
  it("a gap continues at the next recording", () => {
    expect(spanAt(spans, 30)).toBeNull();
    expect(afterGap(spans, 30)).toBe(60);
    expect(afterGap(spans, 5)).toBeNull();
    expect(afterGap(spans, 80)).toBeNull();
  });
  it("a frame lasts what the segment's frame count says", () => {
    expect(frameDuration(spans, 5)).toBeCloseTo(0.1);
    expect(frameDuration(spans, 15)).toBeCloseTo(0.04);
    expect(frameDuration(spans, 65)).toBeCloseTo(0.04);
  });
  it("maps instants to the time line and back", () => {
    expect(fractionOf(origin + 30_000, origin, origin + 60_000)).toBe(0.5);
    expect(fractionOf(origin - 1, origin, origin + 60_000)).toBe(0);
    expect(instantAt(0.25, origin, origin + 60_000)).toBe(origin + 15_000);
  });
});

describe("export range", () => {
  const span = (a: string, b: string) => ({ start_at: `2026-12-07T10:${a}Z`, end_at: `2026-12-07T10:${b}Z` });
  const at = (m: string) => Date.parse(`2026-12-07T10:${m}Z`);
  it("is what every camera recorded within the asked range", () => {
    const got = commonRecorded([[span("01:00", "03:00"), span("04:00", "06:00")], [span("02:00", "05:00")]], at("00:00"), at("10:00"));
    expect(got).toEqual({ fromMs: at("02:00"), toMs: at("05:00") });
  });
  it("is clipped to the asked range", () => {
    expect(commonRecorded([[span("01:00", "09:00")]], at("02:00"), at("03:00"))).toEqual({ fromMs: at("02:00"), toMs: at("03:00") });
  });
  it("is nothing when a camera has no recording or they do not overlap", () => {
    expect(commonRecorded([[]], at("00:00"), at("10:00"))).toBeNull();
    expect(commonRecorded([[span("01:00", "02:00")], [span("03:00", "04:00")]], at("00:00"), at("10:00"))).toBeNull();
  });
});
