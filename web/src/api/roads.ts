import { apiRequest, buildHeaders } from "./client";
import { errorFromProblem, unreachableError } from "./problem";

/**
 * Plate reads and watch lists (`/api/roads`): search and "where was it" (each with a reason, audited by the
 * server), recent hits, the lists and their entries, CSV import. Types written here until the generated schema
 * names them (RoadsDesk only).
 */

export type Direction = "in" | "out";
export type WatchlistKind = "wanted" | "stolen" | "no_insurance" | "of_interest";
export const WATCHLIST_KINDS: WatchlistKind[] = ["wanted", "stolen", "no_insurance", "of_interest"];

export interface PlateReadRow {
  id: number;
  device_id: number;
  camera_code: string;
  camera_name: string;
  seen_at: string;
  plate: string;
  format: string | null;
  country: string;
  foreign: boolean;
  region: string | null;
  confidence: number;
  vehicle_class: string | null;
  colour: string | null;
  direction: string | null;
  heading_deg: number | null;
  lane: number | null;
  lon: number | null;
  lat: number | null;
  kept: boolean;
  crop_url: string;
  snapshot_url: string | null;
}

export interface PlateSearchQuery {
  reason: string;
  plate?: string | null;
  since?: string | null;
  until?: string | null;
  device_id?: number | null;
  direction?: Direction | null;
  limit?: number;
}

export interface PlateSearchResult {
  items: PlateReadRow[];
  truncated: boolean;
}

export interface TrackPoint {
  read_id: number;
  seen_at: string;
  camera_code: string;
  camera_name: string;
  lon: number | null;
  lat: number | null;
  direction: string | null;
  plate: string;
}

export interface PlateTrack {
  plate: string;
  points: TrackPoint[];
}

export interface PlateHitRow {
  id: number;
  read_id: number;
  at: string;
  plate: string;
  pattern: string;
  watchlist: string;
  kind: string;
  reason: string;
  camera_code: string;
  camera_name: string;
  direction: string | null;
  crop_url: string;
  snapshot_url: string | null;
}

export interface Watchlist {
  id: number;
  name: string;
  kind: WatchlistKind;
  description: string | null;
  enabled: boolean;
  entries: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface WatchlistEntry {
  id: number;
  watchlist_id: number;
  pattern: string;
  exact: boolean;
  reason: string;
  added_by: string;
  added_at: string;
  updated_by: string;
  updated_at: string;
  valid_until: string | null;
}

export interface ImportProblem {
  code: string;
  line: string;
  field: string;
  [param: string]: string;
}

type Opts = { signal?: AbortSignal };

export const searchReads = (query: PlateSearchQuery, opts: Opts = {}) =>
  apiRequest<PlateSearchResult>("/api/roads/search", { method: "POST", body: query, ...opts });
export const trackPlate = (body: { plate: string; reason: string; since?: string; until?: string }, opts: Opts = {}) =>
  apiRequest<PlateTrack>("/api/roads/track", { method: "POST", body, ...opts });
export const fetchHits = (opts: Opts = {}) => apiRequest<PlateHitRow[]>("/api/roads/hits?limit=50", opts);
export const fetchWatchlists = (opts: Opts = {}) => apiRequest<Watchlist[]>("/api/roads/watchlists", opts);
export const createWatchlist = (body: { name: string; kind: WatchlistKind; description?: string | null; reason: string }) =>
  apiRequest<Watchlist>("/api/roads/watchlists", { method: "POST", body });
export const deleteWatchlist = (id: number, reason: string) =>
  apiRequest<void>(`/api/roads/watchlists/${id}`, { method: "DELETE", body: { reason } });
export const fetchEntries = (listId: number, opts: Opts = {}) =>
  apiRequest<WatchlistEntry[]>(`/api/roads/watchlists/${listId}/entries`, opts);
export const addEntry = (listId: number, body: { pattern: string; reason: string; valid_until?: string | null }) =>
  apiRequest<WatchlistEntry>(`/api/roads/watchlists/${listId}/entries`, { method: "POST", body });
export const updateEntry = (listId: number, entryId: number, body: { pattern: string; reason: string; valid_until?: string | null }) =>
  apiRequest<WatchlistEntry>(`/api/roads/watchlists/${listId}/entries/${entryId}`, { method: "PUT", body });
export const removeEntry = (listId: number, entryId: number, reason: string) =>
  apiRequest<void>(`/api/roads/watchlists/${listId}/entries/${entryId}`, { method: "DELETE", body: { reason } });

/** Upload a watch-list CSV as it is (text/csv); a 422 carries every problem with its line in `problem.errors`. */
export async function importWatchlists(csv: string, reason: string): Promise<{ added: number; lists: Record<string, number> }> {
  const headers = buildHeaders("POST", true);
  headers.set("Content-Type", "text/csv; charset=utf-8");
  let response: Response;
  try {
    response = await fetch(`/api/roads/watchlists/import?reason=${encodeURIComponent(reason)}`, {
      method: "POST", headers, body: csv, credentials: "same-origin", cache: "no-store",
    });
  } catch (cause) {
    throw unreachableError(cause);
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw errorFromProblem(response.status, body, response.headers);
  return body as { added: number; lists: Record<string, number> };
}

/** The problems of a rejected import (the server's list, each with its line), or none. */
export function importProblems(problem: { errors?: unknown } | null | undefined): ImportProblem[] {
  const errors = problem?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.filter((e): e is ImportProblem => !!e && typeof e === "object" && typeof (e as ImportProblem).code === "string");
}

export interface CameraOption {
  id: number;
  code: string;
  name_ru: string;
  name_kk: string;
}

/** The cameras a search may be narrowed to (city-entry ANPR and traffic cameras first). */
export const fetchRoadCameras = (opts: Opts = {}) =>
  apiRequest<{ items: CameraOption[] }>("/api/devices?kind=camera&purpose=city_entry_anpr&purpose=speed&purpose=intersection&limit=200", opts);

/** Keep a read as evidence past the keeping period (the reason is audited). */
export const keepRead = (readId: number, reason: string) =>
  apiRequest<void>(`/api/roads/reads/${readId}/keep`, { method: "POST", body: { reason } });
