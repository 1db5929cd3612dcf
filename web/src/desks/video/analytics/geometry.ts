/**
 * Geometry of analytics rules drawn on a camera's picture (pure): points in frame coordinates 0..1 (x right, y
 * down), so a rule stays valid whatever resolution the sub-stream has. The checks mirror the server's, so the
 * editor can say what is wrong before saving; the server stays the authority.
 */

export type Point = [number, number];

/** Polygons of a zone: 3 to 64 points, as the server accepts. */
export const MIN_ZONE_POINTS = 3;
export const MAX_ZONE_POINTS = 64;
/** A line shorter than this (|dx| + |dy| in frame units) has no usable direction (service.MIN_LINE). */
export const MIN_LINE_LENGTH = 0.01;
/** A polygon smaller than this share of the frame has no inside (service.MIN_AREA). */
export const MIN_AREA = 1e-4;
const EPS = 1e-12;

/** A value clamped to 0..1 and rounded to 0.001 (a pixel of a 1000-px frame: finer is noise from the mouse). */
export function clampUnit(v: number): number {
  return Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
}

/** A pointer position (x, y) in pixels of a box of width × height, as a frame point. */
export function toFrame(x: number, y: number, width: number, height: number): Point {
  if (width <= 0 || height <= 0) return [0, 0];
  return [clampUnit(x / width), clampUnit(y / height)];
}

/** A frame point in the SVG's 0..100 view box. */
export function toView(p: readonly number[]): Point {
  return [p[0] * 100, p[1] * 100];
}

/** SVG `points` of a polygon or polyline in the 0..100 view box. */
export function svgPoints(points: readonly (readonly number[])[]): string {
  return points.map((p) => toView(p).join(",")).join(" ");
}

/** The points with vertex `index` moved to `to` (clamped into the frame); the input is left as it is. */
export function moveVertex(points: readonly Point[], index: number, to: Point): Point[] {
  return points.map((p, i) => (i === index ? [clampUnit(to[0]), clampUnit(to[1])] : [p[0], p[1]]));
}

/** The points with vertex `index` removed, unless that would leave fewer than `min`. */
export function removeVertex(points: readonly Point[], index: number, min: number): Point[] {
  if (points.length <= min || index < 0 || index >= points.length) return points.map((p) => [p[0], p[1]]);
  return points.filter((_, i) => i !== index).map((p) => [p[0], p[1]]);
}

/** A new vertex in the middle of edge `index` → `index + 1` (the closing edge for the last index). */
export function splitEdge(points: readonly Point[], index: number): Point[] {
  if (points.length >= MAX_ZONE_POINTS || index < 0 || index >= points.length) return points.map((p) => [p[0], p[1]]);
  const a = points[index];
  const b = points[(index + 1) % points.length];
  const mid: Point = [clampUnit((a[0] + b[0]) / 2), clampUnit((a[1] + b[1]) / 2)];
  const copy = points.map((p): Point => [p[0], p[1]]);
  copy.splice(index + 1, 0, mid);
  return copy;
}

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

function onSegment(p: Point, a: Point, b: Point): boolean {
  return Math.min(a[0], b[0]) - EPS <= p[0] && p[0] <= Math.max(a[0], b[0]) + EPS
    && Math.min(a[1], b[1]) - EPS <= p[1] && p[1] <= Math.max(a[1], b[1]) + EPS;
}

function sign(v: number): number {
  return Math.abs(v) < EPS ? 0 : v > 0 ? 1 : -1;
}

/** Whether segments a–b and c–d share a point (touching and collinear overlap included). */
export function segmentsIntersect(a: Point, b: Point, c: Point, d: Point): boolean {
  const d1 = sign(cross(c, d, a));
  const d2 = sign(cross(c, d, b));
  const d3 = sign(cross(a, b, c));
  const d4 = sign(cross(a, b, d));
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;
  return (d1 === 0 && onSegment(a, c, d)) || (d2 === 0 && onSegment(b, c, d))
    || (d3 === 0 && onSegment(c, a, b)) || (d4 === 0 && onSegment(d, a, b));
}

/** Whether a closed polygon's edges cross or touch anywhere but at the vertices neighbouring edges share. */
export function selfIntersects(polygon: readonly Point[]): boolean {
  const n = polygon.length;
  if (n < 4) return false;
  for (let i = 0; i < n; i += 1) {
    const a = polygon[i];
    const b = polygon[(i + 1) % n];
    for (let j = i + 1; j < n; j += 1) {
      // Neighbouring edges share a vertex by construction: only the others may not meet.
      if (j === i + 1 || (i === 0 && j === n - 1)) continue;
      if (segmentsIntersect(a, b, polygon[j], polygon[(j + 1) % n])) return true;
    }
  }
  return false;
}

/** The polygon's area in frame units (shoelace), always ≥ 0. */
export function polygonArea(polygon: readonly Point[]): number {
  let twice = 0;
  for (let i = 0; i < polygon.length; i += 1) {
    const [x1, y1] = polygon[i];
    const [x2, y2] = polygon[(i + 1) % polygon.length];
    twice += x1 * y2 - x2 * y1;
  }
  return Math.abs(twice) / 2;
}

/** Why the points cannot be saved as a zone, as a reason key (`analytics.geometry.<reason>`); null when they can. */
export type GeometryProblem = "tooFew" | "tooMany" | "outside" | "selfIntersecting" | "degenerate" | "lineTwoPoints" | "lineTooShort";

function inside(points: readonly Point[]): boolean {
  return points.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && x >= 0 && x <= 1 && y >= 0 && y <= 1);
}

/** The first problem of a polygon zone, or null. */
export function zoneProblem(polygon: readonly Point[]): GeometryProblem | null {
  if (polygon.length < MIN_ZONE_POINTS) return "tooFew";
  if (polygon.length > MAX_ZONE_POINTS) return "tooMany";
  if (!inside(polygon)) return "outside";
  // A bow tie's signed areas cancel out: crossing is the truer reason, so it is checked first.
  if (selfIntersects(polygon)) return "selfIntersecting";
  if (polygonArea(polygon) < MIN_AREA) return "degenerate";
  return null;
}

/** The first problem of a crossing line (exactly two points, from A to B), or null. */
export function lineProblem(line: readonly Point[]): GeometryProblem | null {
  if (line.length !== 2) return "lineTwoPoints";
  if (!inside(line)) return "outside";
  const [a, b] = line;
  if (Math.abs(b[0] - a[0]) + Math.abs(b[1] - a[1]) < MIN_LINE_LENGTH) return "lineTooShort";
  return null;
}

/**
 * The arrow showing a line's forward crossing: from its midpoint along the normal, on the right of A → B as the
 * picture shows it (y down). A track crossing from the arrow's tail side to its head side counts as forward.
 */
export function directionArrow(a: Point, b: Point, length = 0.06): { from: Point; to: Point } {
  const mid: Point = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const norm = Math.hypot(dx, dy);
  if (norm < EPS) return { from: mid, to: mid };
  // (−dy, dx) is a quarter turn clockwise on a y-down picture: the right-hand side walking from A to B.
  const nx = -dy / norm;
  const ny = dx / norm;
  return { from: [mid[0] - nx * length / 2, mid[1] - ny * length / 2], to: [mid[0] + nx * length / 2, mid[1] + ny * length / 2] };
}

/** The line reversed (B → A): the forward direction turns round. */
export function reverseLine(line: readonly Point[]): Point[] {
  return [...line].reverse().map((p): Point => [p[0], p[1]]);
}
