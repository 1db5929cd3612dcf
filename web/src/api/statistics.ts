import { apiRequest } from "./client";
import type { components } from "./schema";

/**
 * Offence statistics (`/api/statistics`): headline figures with АППГ, slices, the weekday × hour heat map, the
 * monthly trend, Gi* hot spots, Moran's I, the cameras' effect and the clearance readings; the official reference
 * from `/api/legalstats`; the report download from `/api/statistics/reports`. Types are the generated schema's.
 */

type Schemas = components["schemas"];

export type StatsChange = Schemas["StatsChange"];
export type StatsPart = Schemas["StatsPart"];
export type StatsClearanceInputs = Schemas["StatsClearanceInputs"];
export type StatsClearance = Schemas["StatsClearance"];
export type StatsHeadline = Schemas["StatsHeadline"];
export type StatsSlices = Schemas["StatsSlices"];
/** cells: rows weekday Monday..Sunday, columns local hour 0..23. */
export type StatsHeatmap = Schemas["StatsHeatmap"];
export type StatsMonth = Schemas["StatsMonth"];
export type StatsTrend = Schemas["StatsTrend"];
export type StatsHotCell = Schemas["StatsHotCell"];
export type StatsHotspots = Schemas["StatsHotspots"];
export type StatsMoran = Schemas["StatsMoran"];
export type StatsCameraRow = Schemas["StatsCameraRow"];
export type StatsCamerasEffect = Schemas["StatsCamerasEffect"];
export type StatsReading = Schemas["StatsReading"];

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

export function fetchTrend(query: StatsQuery, options: Options = {}): Promise<StatsTrend> {
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

export type LegalAvailable = Schemas["LegalAvailable"];
export type LegalRegionClearance = Schemas["LegalRegionClearance"];
export type LegalClearance = Schemas["LegalClearance"];
export type LegalRegion = Schemas["LegalRegion"];

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
