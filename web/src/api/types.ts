import type { Feature, FeatureCollection, Geometry, Point } from "geojson";
import type { components } from "./schema";

/**
 * Shapes of the backend's JSON bodies. Those with a response model on the server are aliases of the types
 * generated from its OpenAPI document (src/api/schema.d.ts, see web/README.md "API types"); only the answers
 * the server declares as plain dicts or GeoJSON (/api/meta, /api/city/map, /api/devices/geojson) are written here.
 */
type Schemas = components["schemas"];

/** The signed-in user (GET /api/auth/session, POST /api/auth/login). */
export type SessionUser = Schemas["Me"];
export type Session = Schemas["SessionRead"];

/** GET /api/meta: the server declares no response model for it (a plain dict), so its shape is written here. */
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

/** One entry of GET /api/city/models. */
export type CityModel = Schemas["CityModelRead"];

/** GET /api/city/models: a page of models. */
export type CityModelList = Schemas["Page_CityModelRead_"];

/** GET /api/city/geocode?q=… */
export type GeocodeResult = Schemas["GeocodeRead"];

// ---- device registry (GET /api/devices/…) -----------------------------------

export type DeviceKind = Schemas["DeviceKind"];
export type CameraPurpose = Schemas["CameraPurpose"];
export type DeviceHealth = Schemas["Health"];
export type DeviceLifecycle = Schemas["Lifecycle"];

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
  site_name_en?: string | null;
  last_seen_at?: string | null;
  heading_deg?: number | null;
  fov_deg?: number | null;
  range_m?: number | null;
}

export type DeviceFeature = Feature<Point, DeviceFeatureProperties>;
export type DeviceFeatureCollection = FeatureCollection<Geometry | null, DeviceFeatureProperties | null>;

/** Counts of GET /api/devices/summary (maps of kind, purpose, health, lifecycle → count). */
export type DeviceSummary = Schemas["Summary"];

/** GET /api/devices/{code}. */
export type DeviceDetail = Schemas["DeviceRead"];
