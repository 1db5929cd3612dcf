/** Small spherical-earth helpers for the map desk (no Leaflet, unit-tested). */

export const EARTH_RADIUS_M = 6_371_008.8;

const toRad = (deg: number) => (deg * Math.PI) / 180;
const toDeg = (rad: number) => (rad * 180) / Math.PI;

export type LonLat = [lon: number, lat: number];

/** Great-circle distance in metres. */
export function distanceMeters(a: LonLat, b: LonLat): number {
  const [lon1, lat1] = a.map(toRad);
  const [lon2, lat2] = b.map(toRad);
  const h = Math.sin((lat2 - lat1) / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin((lon2 - lon1) / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingDegrees(a: LonLat, b: LonLat): number {
  const [lon1, lat1] = a.map(toRad);
  const [lon2, lat2] = b.map(toRad);
  const y = Math.sin(lon2 - lon1) * Math.cos(lat2);
  const x = Math.cos(lat1) * Math.sin(lat2) - Math.sin(lat1) * Math.cos(lat2) * Math.cos(lon2 - lon1);
  return (toDeg(Math.atan2(y, x)) + 360) % 360;
}

/** The point `distance` metres from `origin` along `bearing` (degrees clockwise from north). */
export function destinationPoint(origin: LonLat, bearing: number, distance: number): LonLat {
  const [lon1, lat1] = origin.map(toRad);
  const theta = toRad(bearing);
  const delta = distance / EARTH_RADIUS_M;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(delta) + Math.cos(lat1) * Math.sin(delta) * Math.cos(theta));
  const lon2 =
    lon1 + Math.atan2(Math.sin(theta) * Math.sin(delta) * Math.cos(lat1), Math.cos(delta) - Math.sin(lat1) * Math.sin(lat2));
  return [((toDeg(lon2) + 540) % 360) - 180, toDeg(lat2)];
}

export interface FieldOfView {
  lon: number | null | undefined;
  lat: number | null | undefined;
  /** Direction the camera looks, degrees clockwise from north. */
  heading_deg: number | null | undefined;
  /** Horizontal angle of view, degrees. */
  fov_deg: number | null | undefined;
  /** How far it sees, metres. */
  range_m: number | null | undefined;
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * The camera's field of view as a closed ring of [lon, lat]: the camera, then
 * the arc from heading − fov/2 to heading + fov/2 at `range_m` (at most
 * `maxStepDeg` between arc points), then the camera again. A field of view of
 * 360° or more is a full circle (no apex). Null when a value is missing or
 * not positive.
 */
export function fovWedge(camera: FieldOfView, maxStepDeg = 5): LonLat[] | null {
  const { lon, lat, heading_deg: heading, fov_deg: fov, range_m: range } = camera;
  if (!finite(lon) || !finite(lat) || !finite(heading) || !finite(fov) || !finite(range)) return null;
  if (fov <= 0 || range <= 0) return null;
  const origin: LonLat = [lon, lat];
  const h = ((heading % 360) + 360) % 360;
  if (fov >= 360) {
    const steps = Math.ceil(360 / maxStepDeg);
    const ring: LonLat[] = [];
    for (let i = 0; i < steps; i++) ring.push(destinationPoint(origin, (360 * i) / steps, range));
    ring.push(ring[0]);
    return ring;
  }
  const steps = Math.max(2, Math.ceil(fov / maxStepDeg));
  const start = h - fov / 2;
  const ring: LonLat[] = [origin];
  for (let i = 0; i <= steps; i++) ring.push(destinationPoint(origin, start + (fov * i) / steps, range));
  ring.push(origin);
  return ring;
}

/** Unsigned planar area of a ring in squared degrees (only for comparing rings). */
export function ringArea(ring: readonly (readonly number[])[]): number {
  let area = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[(i + 1) % ring.length];
    if (finite(x1) && finite(y1) && finite(x2) && finite(y2)) area += x1 * y2 - x2 * y1;
  }
  return Math.abs(area) / 2;
}

/**
 * Where to put a polygon's label: the area-weighted centroid of its outer
 * ring, or the middle of its bounding box when the ring is degenerate.
 */
export function ringLabelPoint(ring: readonly (readonly number[])[]): LonLat | null {
  const pts = ring.filter((p) => finite(p[0]) && finite(p[1]));
  if (pts.length === 0) return null;
  let area = 0;
  let cx = 0;
  let cy = 0;
  const [x0, y0] = pts[0];
  for (let i = 0; i < pts.length; i++) {
    const [x1, y1] = pts[i];
    const [x2, y2] = pts[(i + 1) % pts.length];
    // Relative to the first vertex for numerical stability.
    const a = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    area += a;
    cx += (x1 - x0 + x2 - x0) * a;
    cy += (y1 - y0 + y2 - y0) * a;
  }
  if (Math.abs(area) > 1e-14) return [x0 + cx / (3 * area), y0 + cy / (3 * area)];
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
}

/** A label point for any GeoJSON geometry (largest polygon of a multipolygon, middle vertex of a line). */
export function labelPoint(geometry: { type: string; coordinates?: unknown } | null | undefined): LonLat | null {
  if (!geometry || !Array.isArray(geometry.coordinates)) return null;
  const c = geometry.coordinates as unknown[];
  switch (geometry.type) {
    case "Point":
      return finite(c[0]) && finite(c[1]) ? [c[0], c[1]] : null;
    case "Polygon":
      return Array.isArray(c[0]) ? ringLabelPoint(c[0] as number[][]) : null;
    case "MultiPolygon": {
      let best: { size: number; ring: number[][] } | null = null;
      for (const polygon of c as number[][][][]) {
        const ring = polygon?.[0];
        if (!Array.isArray(ring)) continue;
        const size = ringArea(ring);
        if (!best || size > best.size) best = { size, ring };
      }
      return best ? ringLabelPoint(best.ring) : null;
    }
    case "LineString": {
      const mid = c[Math.floor(c.length / 2)] as number[] | undefined;
      return mid && finite(mid[0]) && finite(mid[1]) ? [mid[0], mid[1]] : null;
    }
    default:
      return null;
  }
}
