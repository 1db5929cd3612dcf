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
  source: "seed" | "import" | "proposal" | "edit";
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

/** Incidents per district over a period, and the weight workload had in a proposal. */
export interface WorkloadBalance {
  incidents: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  days: number;
  share: number;
}

export interface Proposal {
  districts: { number: number; geometry: Polygon | MultiPolygon; residents: number; incidents: number }[];
  balance: Balance;
  current: Balance | null;
  workload: WorkloadBalance;
  current_workload: WorkloadBalance | null;
  geojson: FeatureCollection;
}

/** One validation problem of a draft: its code (a translation key under `errors.`), district and facts. */
export type DraftProblem = Record<string, string> & { code: string; district: string };

export interface DraftDistrict {
  number: number;
  residents: number;
  incidents: number;
  inspectors: number;
  residents_per_inspector: number | null;
  over_norm: boolean;
}

/** A draft set checked without saving. */
export interface DraftCheck {
  valid: boolean;
  problems: DraftProblem[];
  districts: DraftDistrict[];
  balance: Balance | null;
  workload: WorkloadBalance | null;
}

/** The set in force (or a version) as the GeoJSON that /accept and /check read back. */
export function exportDistricts(options: { signal?: AbortSignal } = {}) {
  return apiRequest<FeatureCollection>("/api/districts/export", options);
}

/** Validate a draft as /accept would and get its figures; nothing is saved. */
export function checkDraft(geojson: FeatureCollection, options: { signal?: AbortSignal } = {}) {
  return apiRequest<DraftCheck>("/api/districts/check", { method: "POST", body: { geojson }, timeoutMs: 60_000, ...options });
}

/** The draft with district ``absorb`` joined to ``keep`` (422 listing the problem when they share no boundary). */
export function mergeDraft(geojson: FeatureCollection, keep: number, absorb: number) {
  return apiRequest<FeatureCollection>("/api/districts/merge", { method: "POST", body: { geojson, keep, absorb }, timeoutMs: 60_000 });
}

/** Edited polygons as the next version (inspectors, posts and reception travel in the features' properties). */
export function acceptEdit(geojson: FeatureCollection, note: string | null) {
  return apiRequest<DistrictSet>("/api/districts/accept", { method: "POST", body: { geojson, source: "edit", note }, timeoutMs: 60_000 });
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

/** Boundaries for ``inspectors`` districts; ``workloadShare`` (0..1) weighs incidents against residents. */
export function propose(inspectors: number, workloadShare: number | null = null) {
  const body = workloadShare === null ? { inspectors } : { inspectors, workload_share: workloadShare };
  return apiRequest<Proposal>("/api/districts/propose", { method: "POST", body, timeoutMs: 60_000 });
}

/** The proposal as the next version; its inspectors and МОП are carried over from the districts it covers most. */
export function acceptProposal(geojson: FeatureCollection, note: string | null) {
  return apiRequest<DistrictSet>("/api/districts/accept", { method: "POST", body: { geojson, source: "proposal", note }, timeoutMs: 60_000 });
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
