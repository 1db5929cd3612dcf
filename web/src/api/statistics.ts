import { apiRequest } from "./client";

/**
 * Offence statistics (`/api/statistics`): headline figures with АППГ, slices, the weekday × hour heat map, the
 * monthly trend, Gi* hot spots, Moran's I, the cameras' effect and the clearance readings; the official reference
 * from `/api/legalstats`; the report download from `/api/statistics/reports`. Types are written here until the
 * generated schema names them.
 */

export interface StatsChange {
  current: number;
  /** The same period of last year (АППГ). */
  previous: number;
  delta: number;
  /** Change in % of last year's figure; null when last year had none. */
  percent: number | null;
}

export interface StatsPart extends StatsChange {
  label: string | null;
  name?: string | null;
  share: number | null;
  rate?: number | null;
}

export interface StatsClearanceInputs {
  registered: number;
  sent_to_court: number;
  terminated_non_rehabilitating: number;
  terminated_rehabilitating: number;
  interrupted: number;
  interrupted_unidentified: number | null;
  carried_over: number;
  completed: number;
}

export interface StatsClearance {
  reading: string;
  default: boolean;
  current: number | null;
  previous: number | null;
  formula: Record<string, string>;
  inputs: StatsClearanceInputs;
  previous_inputs: StatsClearanceInputs;
}

export interface StatsPeriod {
  first: string;
  last: string;
  previous_first: string;
  previous_last: string;
}

export interface StatsHeadline extends StatsPeriod {
  include_generated: boolean;
  total: StatsChange;
  rate: number | null;
  previous_rate: number | null;
  population: number | null;
  population_source: "model" | "official";
  by_class: StatsPart[];
  by_severity: StatsPart[];
  by_group: StatsPart[];
  clearance: StatsClearance[];
}

export interface StatsSlices extends StatsPeriod {
  dimension: string;
  parts: StatsPart[];
}

export interface StatsHeatmap extends StatsPeriod {
  /** Rows: weekday Monday..Sunday; columns: local hour 0..23. */
  cells: number[][];
  total: number;
}

export interface StatsMonth extends StatsChange {
  year: number;
  month: number;
}

export type HotspotLevel = "safe" | "unsafe_at_hours" | "unsafe";

export interface StatsHotCell {
  lon: number;
  lat: number;
  count: number;
  /** Gi* z-score (method gi) or density per km² (kde). */
  value: number;
  p: number | null;
  level: HotspotLevel | null;
  bands: number[];
}

export interface StatsHotspots extends StatsPeriod {
  grid: string;
  method: "gi" | "kde";
  cell_m: number;
  bands: number[][];
  cells: StatsHotCell[];
  seconds: number;
}

export interface StatsMoran extends StatsPeriod {
  grid: string;
  cells: number;
  i: number;
  expected: number;
  z_norm: number;
  p_norm: number;
  z_rand: number;
  p_rand: number;
}

export interface StatsCameraRow {
  code: string;
  installed_on: string;
  treated_before: number;
  treated_after: number;
  control_before: number;
  control_after: number;
}

export interface StatsCamerasEffect {
  radius_m: number;
  control_inner_m: number;
  control_outer_m: number;
  window_days: number;
  install_date_source: string;
  treated_before: number;
  treated_after: number;
  control_before: number;
  control_after: number;
  did: number;
  did_se: number;
  ratio: number | null;
  ratio_low: number | null;
  ratio_high: number | null;
  cameras: StatsCameraRow[];
}

export interface StatsReading {
  code: string;
  default: boolean;
  names: Record<string, string>;
  formula: Record<string, string>;
  needs: string[];
}

/** What every figure is asked for: inclusive days and the desk's filters. */
export interface StatsQuery {
  first: string;
  last: string;
  districts?: readonly number[];
  settlements?: readonly string[];
  articleGroups?: readonly string[];
  /** criminal | administrative (the registry's kinds). */
  kinds?: readonly string[];
  includeGenerated: boolean;
}

/** The query string of a figure route: always a custom period, so the desk's own period arithmetic decides. */
export function statsParams(query: StatsQuery): URLSearchParams {
  const params = new URLSearchParams({ period: "custom", first: query.first, last: query.last });
  for (const d of query.districts ?? []) params.append("district", String(d));
  for (const s of query.settlements ?? []) params.append("settlement", s);
  for (const g of query.articleGroups ?? []) params.append("article_group", g);
  for (const k of query.kinds ?? []) params.append("kind", k);
  if (query.includeGenerated) params.set("include_generated", "true");
  return params;
}

type Options = { signal?: AbortSignal };

function get<T>(path: string, params: URLSearchParams, options: Options): Promise<T> {
  return apiRequest<T>(`/api/statistics/${path}?${params.toString()}`, { signal: options.signal, timeoutMs: 60_000 });
}

export function fetchHeadline(query: StatsQuery, options: Options = {}): Promise<StatsHeadline> {
  return get("headline", statsParams(query), options);
}

export function fetchTrend(query: StatsQuery, options: Options = {}): Promise<{ months: StatsMonth[] }> {
  return get("trend", statsParams(query), options);
}

export function fetchHeatmap(query: StatsQuery, options: Options = {}): Promise<StatsHeatmap> {
  return get("heatmap", statsParams(query), options);
}

export function fetchSlices(query: StatsQuery, dimension: string, options: Options = {}): Promise<StatsSlices> {
  const params = statsParams(query);
  params.set("dimension", dimension);
  return get("slices", params, options);
}

export function fetchHotspots(query: StatsQuery, grid: string, options: Options = {}): Promise<StatsHotspots> {
  const params = statsParams(query);
  params.set("grid", grid);
  return get("hotspots", params, options);
}

export function fetchMoran(query: StatsQuery, grid: string, options: Options = {}): Promise<StatsMoran> {
  const params = statsParams(query);
  params.set("grid", grid);
  return get("moran", params, options);
}

export function fetchCamerasEffect(includeGenerated: boolean, options: Options = {}): Promise<StatsCamerasEffect> {
  const params = new URLSearchParams();
  if (includeGenerated) params.set("include_generated", "true");
  return get("cameras-effect", params, options);
}

export function fetchReadings(options: Options = {}): Promise<StatsReading[]> {
  return apiRequest<StatsReading[]>("/api/statistics/readings", { signal: options.signal });
}

// ---------------------------------------------------------------- the official reference (legalstats)

export interface LegalAvailable {
  form: string;
  period: string;
  regions: string[];
  national_total: boolean;
}

export interface LegalRegionClearance {
  region: string;
  inputs: { registered: number; completed: number; interrupted: number };
  values: Record<string, number | null>;
}

export interface LegalClearance {
  form: string;
  period: string;
  subject: string;
  reading: string;
  readings: { code: string; names: Record<string, string>; formula: Record<string, string>; default: boolean }[];
  regions: LegalRegionClearance[];
}

export interface LegalRegion {
  code: string;
  names: Record<string, string>;
  national: boolean;
}

export function fetchLegalAvailable(options: Options = {}): Promise<LegalAvailable[]> {
  return apiRequest<LegalAvailable[]>("/api/legalstats/available", { signal: options.signal });
}

export function fetchLegalRegions(options: Options = {}): Promise<LegalRegion[]> {
  return apiRequest<LegalRegion[]>("/api/legalstats/regions", { signal: options.signal });
}

export function fetchLegalClearance(period: string, options: Options = {}): Promise<LegalClearance> {
  const params = new URLSearchParams({ period, form: "sng1", subject: "crimes" });
  return apiRequest<LegalClearance>(`/api/legalstats/clearance?${params.toString()}`, { signal: options.signal });
}

// ---------------------------------------------------------------- reports

export type ReportFormat = "xlsx" | "pdf";

/** The report's download address (a plain link: the browser's session cookie authorises it). */
export function offenceReportUrl(query: StatsQuery, format: ReportFormat, lang: string, reading?: string): string {
  const params = new URLSearchParams({ from: query.first, to: query.last, format, lang });
  if (query.districts?.length === 1) params.set("district_id", String(query.districts[0]));
  if (query.settlements?.length === 1) params.set("settlement", query.settlements[0]);
  if (query.articleGroups?.length === 1) params.set("article_group", query.articleGroups[0]);
  if (query.includeGenerated) params.set("include_generated", "true");
  if (reading) params.set("reading", reading);
  return `/api/statistics/reports/offences?${params.toString()}`;
}
