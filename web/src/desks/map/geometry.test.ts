import { describe, expect, it } from "vitest";
import { bearingDegrees, destinationPoint, distanceMeters, fovWedge, labelPoint, ringLabelPoint, type LonLat } from "./geometry";

const AKSAI: LonLat = [53.011478, 51.173893];

describe("destination point", () => {
  it("goes the requested distance along the requested bearing", () => {
    for (const bearing of [0, 45, 90, 180, 270, 359]) {
      const p = destinationPoint(AKSAI, bearing, 1000);
      expect(distanceMeters(AKSAI, p)).toBeCloseTo(1000, 3);
      expect((bearingDegrees(AKSAI, p) - bearing + 540) % 360 - 180).toBeCloseTo(0, 3);
    }
  });

  it("moves north along the meridian for bearing 0", () => {
    const p = destinationPoint(AKSAI, 0, 1000);
    expect(p[0]).toBeCloseTo(AKSAI[0], 9);
    expect(p[1]).toBeGreaterThan(AKSAI[1]);
  });
});

describe("field-of-view wedge", () => {
  const camera = { lon: AKSAI[0], lat: AKSAI[1], heading_deg: 90, fov_deg: 60, range_m: 100 };

  it("is a closed ring from the camera along the arc and back", () => {
    const ring = fovWedge(camera)!;
    expect(ring[0]).toEqual(AKSAI);
    expect(ring[ring.length - 1]).toEqual(AKSAI);
    const arc = ring.slice(1, -1);
    expect(arc.length).toBe(13); // 60° in 5° steps: 12 segments
    for (const p of arc) expect(distanceMeters(AKSAI, p)).toBeCloseTo(100, 3);
    expect(bearingDegrees(AKSAI, arc[0])).toBeCloseTo(60, 3);
    expect(bearingDegrees(AKSAI, arc[arc.length - 1])).toBeCloseTo(120, 3);
    expect(bearingDegrees(AKSAI, arc[6])).toBeCloseTo(90, 3);
  });

  it("wraps across north", () => {
    const ring = fovWedge({ ...camera, heading_deg: -10, fov_deg: 40 })!;
    const arc = ring.slice(1, -1);
    expect(bearingDegrees(AKSAI, arc[0])).toBeCloseTo(330, 3);
    expect(bearingDegrees(AKSAI, arc[arc.length - 1])).toBeCloseTo(10, 3);
    expect(fovWedge({ ...camera, heading_deg: 710 })![1]).toEqual(fovWedge({ ...camera, heading_deg: -10 })![1]);
  });

  it("draws a full circle for a 360° camera", () => {
    const ring = fovWedge({ ...camera, fov_deg: 360 })!;
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    for (const p of ring) expect(distanceMeters(AKSAI, p)).toBeCloseTo(100, 3);
  });

  it("keeps narrow lenses smooth enough and is null without geometry", () => {
    expect(fovWedge({ ...camera, fov_deg: 3 })!.length).toBe(5); // apex, 3 arc points, apex
    expect(fovWedge({ ...camera, heading_deg: null })).toBeNull();
    expect(fovWedge({ ...camera, range_m: 0 })).toBeNull();
    expect(fovWedge({ ...camera, fov_deg: -5 })).toBeNull();
    expect(fovWedge({ ...camera, lon: undefined })).toBeNull();
    expect(fovWedge({ ...camera, range_m: Number.NaN })).toBeNull();
  });
});

describe("label points", () => {
  it("is the centroid of a polygon's outer ring", () => {
    const square = [
      [0, 0],
      [2, 0],
      [2, 2],
      [0, 2],
      [0, 0],
    ];
    const [x, y] = ringLabelPoint(square)!;
    expect(x).toBeCloseTo(1, 9);
    expect(y).toBeCloseTo(1, 9);
    expect(labelPoint({ type: "Polygon", coordinates: [square] })).toEqual(ringLabelPoint(square));
  });

  it("takes the largest polygon of a multipolygon, the middle vertex of a line, the point itself", () => {
    const small = [[[10, 10], [10.1, 10], [10.1, 10.1], [10, 10]]];
    const big = [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]];
    const [x, y] = labelPoint({ type: "MultiPolygon", coordinates: [small, big] })!;
    expect(x).toBeCloseTo(2, 9);
    expect(y).toBeCloseTo(2, 9);
    expect(labelPoint({ type: "LineString", coordinates: [[0, 0], [1, 1], [2, 2]] })).toEqual([1, 1]);
    expect(labelPoint({ type: "Point", coordinates: [53, 51] })).toEqual([53, 51]);
    expect(labelPoint(null)).toBeNull();
  });

  it("falls back to the bounding box for a degenerate ring", () => {
    expect(ringLabelPoint([[0, 0], [2, 0], [0, 0]])).toEqual([1, 0]);
  });
});
