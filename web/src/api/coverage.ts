import type { FeatureCollection, MultiPolygon } from "geojson";
import { apiRequest } from "./client";

/**
 * Police within reach (`/api/coverage`): residents within walking thresholds and the patrol drive time, their
 * isochrones, uncovered clusters, and the exact placement of new posts. Types are written here until the
 * generated schema names them.
 */

export type TravelMode = "walk" | "drive";
export type PlacementMode = "maximal" | "set";

export interface Share {
  residents: number;
  covered: number;
  share: number;
}

export interface PolicePoint {
  code: string;
  kind: "police_post" | "situation_center" | string;
  name_kk: string;
  name_ru: string;
  name_en: string | null;
  lon: number;
  lat: number;
}

export interface CoverageLevel {
  mode: TravelMode;
  minutes: number;
  overall: Share;
  settlements: (Share & { settlement: string })[];
  districts: (Share & { number: number; name_kk: string; name_ru: string; name_en: string })[];
}

export interface UncoveredCluster {
  residents: number;
  cells: number;
  lon: number;
  lat: number;
  settlement: string | null;
  /** The cluster's 100 m cells. */
  geometry: MultiPolygon;
}

export interface Coverage {
  model_id: number;
  generated: boolean;
  walk_speed_kmh: number;
  points: PolicePoint[];
  levels: CoverageLevel[];
  uncovered: UncoveredCluster[];
  seconds: number;
}

export interface IsochroneProperties {
  mode: TravelMode;
  minutes: number;
  share: number;
}

export type Isochrones = FeatureCollection<MultiPolygon, IsochroneProperties> & { generated: boolean };

export interface PlacementRequest {
  mode: PlacementMode;
  posts?: number;
  minutes: number;
  travel: TravelMode;
  skip_unreachable?: boolean;
}

export interface Placement {
  mode: PlacementMode;
  travel: TravelMode;
  minutes: number;
  chosen: { lon: number; lat: number }[];
  before: Share;
  after: Share;
  objective: number;
  bound: number;
  gap: number;
  optimal: boolean;
  seconds: number;
  candidates: number;
  demand_points: number;
  skipped_residents: number;
}

export function fetchCoverage(options: { signal?: AbortSignal } = {}) {
  return apiRequest<Coverage>("/api/coverage", options);
}

export function fetchIsochrones(options: { signal?: AbortSignal } = {}) {
  return apiRequest<Isochrones>("/api/coverage/isochrones", options);
}

export function solvePlacement(request: PlacementRequest) {
  // A solve may run up to the server's time limit (20 s by default) plus the cover matrix.
  return apiRequest<Placement>("/api/coverage/placement", { method: "POST", body: request, timeoutMs: 60_000 });
}
