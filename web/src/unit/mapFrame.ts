/** What the unit map shows when it fits the view: the route, the incident and me. */

export interface LonLatPoint {
  lon: number;
  lat: number;
}

export type Frame =
  | { kind: "point"; lon: number; lat: number }
  | { kind: "bounds"; west: number; south: number; east: number; north: number };

function valid(lon: unknown, lat: unknown): boolean {
  return typeof lon === "number" && typeof lat === "number" && Number.isFinite(lon) && Number.isFinite(lat) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
}

/**
 * The valid [lon, lat] pairs of an assignment's route. The server declares the route as a plain object (a GeoJSON
 * LineString by its description), so its shape is checked here rather than trusted; anything else gives [].
 */
export function routeCoordinates(route: unknown): [number, number][] {
  if (typeof route !== "object" || route === null) return [];
  const { type, coordinates } = route as { type?: unknown; coordinates?: unknown };
  if ((type !== undefined && type !== "LineString") || !Array.isArray(coordinates)) return [];
  const points: [number, number][] = [];
  for (const c of coordinates as unknown[]) {
    if (Array.isArray(c) && valid(c[0], c[1])) points.push([c[0] as number, c[1] as number]);
  }
  return points;
}

/** The box around everything given; a point when there is only one place; null when nothing. */
export function mapFrame(
  route: readonly (readonly number[])[],
  target: LonLatPoint | null,
  me: LonLatPoint | null,
): Frame | null {
  const points: [number, number][] = [];
  for (const c of route) if (valid(c[0], c[1])) points.push([c[0], c[1]]);
  if (target && valid(target.lon, target.lat)) points.push([target.lon, target.lat]);
  if (me && valid(me.lon, me.lat)) points.push([me.lon, me.lat]);
  if (points.length === 0) return null;
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  for (const [lon, lat] of points) {
    west = Math.min(west, lon);
    east = Math.max(east, lon);
    south = Math.min(south, lat);
    north = Math.max(north, lat);
  }
  // Closer than ~20 m: one place.
  if (east - west < 0.0003 && north - south < 0.0002) return { kind: "point", lon: (west + east) / 2, lat: (south + north) / 2 };
  return { kind: "bounds", west, south, east, north };
}
