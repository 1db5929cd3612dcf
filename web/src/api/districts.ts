import type { FeatureCollection, MultiPolygon, Polygon } from "geojson";
import { apiRequest } from "./client";

/**
 * Police districts (`/api/districts`): the set in force, passports, the inspector's own districts, proposals,
 * accepting a new dated version, GeoJSON export. Types are written here until the generated schema names them.
 */

export interface Inspector {
  user_id: number;
  name: string;
  username: string;
}

export interface Reception {
  days: number[];
  from: string;
  to: string;
}

export interface District {
  id: number;
  number: number;
  name_kk: string;
  name_ru: string;
  name_en: string;
  geometry: Polygon | MultiPolygon;
  residents: number;
  inspectors: Inspector[];
  residents_per_inspector: number | null;
  over_norm: boolean;
  site_code: string | null;
  site_name: string | null;
  reception: Reception;
  contacts: string | null;
}

export interface Balance {
  districts: number;
  inspectors: number;
  residents: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  over_norm: number;
  norm: number;
}

export interface DistrictSetVersion {
  id: number;
  version: number;
  valid_from: string;
  valid_to: string | null;
  source: "seed" | "import" | "proposal";
  generated: boolean;
  note: string | null;
  created_by: string;
  created_at: string;
}

export interface DistrictSet extends DistrictSetVersion {
  area: Polygon | MultiPolygon;
  districts: District[];
  balance: Balance;
}

export interface PassportIncident {
  id: number;
  number: string;
  category: string;
  priority: number;
  state: string;
  address: string | null;
  received_at: string;
}

export interface Passport {
  district: District;
  social_objects: Record<string, number>;
  sites: { code: string; kind: string; subtype: string | null; name_kk: string; name_ru: string; name_en: string }[];
  cameras: number;
  incidents: PassportIncident[];
}

export interface Proposal {
  districts: { number: number; geometry: Polygon | MultiPolygon; residents: number }[];
  balance: Balance;
  current: Balance | null;
  geojson: FeatureCollection;
}

export function fetchDistricts(options: { signal?: AbortSignal } = {}) {
  return apiRequest<DistrictSet>("/api/districts", options);
}

export function fetchVersions(options: { signal?: AbortSignal } = {}) {
  return apiRequest<DistrictSetVersion[]>("/api/districts/versions", options);
}

export function fetchPassport(id: number, options: { signal?: AbortSignal } = {}) {
  return apiRequest<Passport>(`/api/districts/${id}/passport`, options);
}

export function fetchMine(options: { signal?: AbortSignal } = {}) {
  return apiRequest<Passport[]>("/api/districts/mine", options);
}

export function propose(inspectors: number) {
  return apiRequest<Proposal>("/api/districts/propose", { method: "POST", body: { inspectors }, timeoutMs: 60_000 });
}

/** The proposal as the next version; its inspectors and МОП are carried over from the districts it covers most. */
export function acceptProposal(geojson: FeatureCollection, note: string | null) {
  return apiRequest<DistrictSet>("/api/districts/accept", { method: "POST", body: { geojson, source: "proposal", note } });
}

export interface DistrictAt {
  set_id: number;
  version: number;
  district_id: number;
  number: number;
  name_kk: string;
  name_ru: string;
  name_en: string;
}

/** The district a position falls into under the set in force at `at` (null outside every district). */
export function fetchDistrictAt(lon: number, lat: number, at: string | null, options: { signal?: AbortSignal } = {}) {
  const query = new URLSearchParams({ lon: String(lon), lat: String(lat), ...(at ? { at } : {}) });
  return apiRequest<DistrictAt | null>(`/api/districts/at?${query}`, options);
}

/** A GeoJSON file of districts as the next version (every problem listed in the 422 answer's errors). */
export function importDistricts(collection: unknown) {
  return apiRequest<DistrictSet>("/api/districts/import", { method: "POST", body: collection, timeoutMs: 60_000 });
}
