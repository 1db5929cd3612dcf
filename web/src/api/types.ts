import type { Feature, FeatureCollection, Geometry, Point } from "geojson";

/** Shapes of the backend's JSON bodies (see the backend contract in web/README.md). */

export interface SessionUser {
  id: string | number;
  username: string;
  display_name: string;
  role: string;
  permissions: string[];
  locale: string | null;
}

export interface Session {
  user: SessionUser;
  csrf_token: string;
}

export interface Meta {
  version: string;
  time_zone: string;
  languages: string[];
  default_language: string;
}

// ---- city model (GET /api/city/…) -------------------------------------------

/** Layers of GET /api/city/map. */
export type CityLayer = "boundary" | "settlements" | "microdistricts" | "streets" | "blocks";

/** Properties of one feature of the city map. Any of them may be missing or null. */
export interface CityFeatureProperties {
  layer?: CityLayer | string | null;
  name_kk?: string | null;
  name_ru?: string | null;
  name_en?: string | null;
  /** town, village, hamlet, microdistrict, street, road, block… */
  kind?: string | null;
  /** OSM highway class of a street: primary, secondary, residential… */
  highway?: string | null;
  /** True where the geometry was generated rather than surveyed. */
  generated?: boolean | null;
  /** Residents of a settlement, where known. */
  population?: number | null;
}

/** The base map; the backend adds the model it was drawn from as a foreign member. */
export type CityFeatureCollection = FeatureCollection<Geometry | null, CityFeatureProperties | null> & {
  model?: Partial<CityModel> | null;
};

/** One entry of GET /api/city/models (the backend sends more: counts, bounds, attrs). */
export interface CityModel {
  id: string | number;
  name: string;
  generated: boolean;
  source?: string | null;
  licence?: string | null;
  active: boolean;
}

/** GET /api/city/models: a page of models (a bare list is accepted too). */
export type CityModelList = { items: CityModel[]; next_cursor?: string | null } | CityModel[];

/** GET /api/city/geocode?q=… */
export interface GeocodeResult {
  lon: number;
  lat: number;
  label: string;
  kind?: string | null;
  generated?: boolean | null;
}

// ---- device registry (GET /api/devices/…) -----------------------------------

export type DeviceKind = "camera" | "sos_terminal" | "alarm_panel" | "access_point";
export type CameraPurpose =
  | "public_space"
  | "yard"
  | "intersection"
  | "speed"
  | "city_entry_anpr"
  | "social_object"
  | "police_post"
  | "situation_center";
export type DeviceHealth = "online" | "degraded" | "offline" | "unknown";
export type DeviceLifecycle = "planned" | "installed" | "commissioned" | "decommissioned";

/** Properties of a Point feature of GET /api/devices/geojson. */
export interface DeviceFeatureProperties {
  code: string;
  kind: DeviceKind | string;
  purpose?: CameraPurpose | string | null;
  health?: DeviceHealth | string | null;
  lifecycle?: DeviceLifecycle | string | null;
  name_kk?: string | null;
  name_ru?: string | null;
  name_en?: string | null;
  site_code?: string | null;
  site_name_kk?: string | null;
  site_name_ru?: string | null;
  last_seen_at?: string | null;
  heading_deg?: number | null;
  fov_deg?: number | null;
  range_m?: number | null;
}

export type DeviceFeature = Feature<Point, DeviceFeatureProperties>;
export type DeviceFeatureCollection = FeatureCollection<Geometry | null, DeviceFeatureProperties | null>;

/** Counts of GET /api/devices/summary. Each map may be absent; values are counts. */
export interface DeviceSummary {
  by_kind?: Record<string, number> | null;
  by_purpose?: Record<string, number> | null;
  by_health?: Record<string, number> | null;
  by_lifecycle?: Record<string, number> | null;
  total?: number | null;
}

/** GET /api/devices/{code}: rendered defensively, every field but the code may be missing. */
export interface DeviceDetail {
  code: string;
  kind?: string | null;
  purpose?: string | null;
  name_kk?: string | null;
  name_ru?: string | null;
  name_en?: string | null;
  site_code?: string | null;
  site_name_kk?: string | null;
  site_name_ru?: string | null;
  lon?: number | null;
  lat?: number | null;
  heading_deg?: number | null;
  fov_deg?: number | null;
  range_m?: number | null;
  /** Stream URLs, null when absent (the registry's shape). */
  stream_main?: string | null;
  stream_sub?: string | null;
  /** Also accepted: stream URLs or flags under one object. */
  streams?: { main?: string | boolean | null; sub?: string | boolean | null } | null;
  lifecycle?: string | null;
  health?: string | null;
  last_seen_at?: string | null;
  has_credentials?: boolean | null;
  [extra: string]: unknown;
}
